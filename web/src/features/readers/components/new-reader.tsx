import { Button, Modal } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconUserPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import { toLanguage } from '@/lib/i18n';
import { notifySuccess } from '@/lib/notify';

import { useCreateReader } from '../api/create-reader';

import { ReaderForm } from './reader-form';
import { emptyReaderValues, serverFieldErrors, type FieldErrors } from './reader-form-values';

/** The "new reader" button and the form it opens, in a dialog. */
export function NewReader({ label, size = 'sm' }: { label?: string; size?: 'sm' | 'md' }) {
  const { t, i18n } = useTranslation();
  const [opened, { open, close }] = useDisclosure(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors | null>(null);
  const [formKey, setFormKey] = useState(0);
  const createReader = useCreateReader({
    onSuccess: (reader) => {
      close();
      notifySuccess(t('readers.new.added', { name: reader.name }));
    },
    onError: (error) => setServerErrors(serverFieldErrors(error)),
  });

  return (
    <>
      <Button
        size={size}
        leftSection={<IconUserPlus size={18} aria-hidden />}
        onClick={() => {
          setServerErrors(null);
          setFormKey((k) => k + 1);
          open();
        }}
      >
        {label ?? t('readers.new.button')}
      </Button>
      <Modal
        opened={opened}
        onClose={() => {
          if (!createReader.isPending) close();
        }}
        title={t('readers.new.title')}
        closeButtonProps={{ 'aria-label': t('common.close') }}
        size="lg"
      >
        <ReaderForm
          key={formKey}
          formLabel={t('readers.new.title')}
          initialValues={emptyReaderValues(toLanguage(i18n.resolvedLanguage))}
          submitLabel={t('readers.new.submit')}
          pending={createReader.isPending}
          serverErrors={serverErrors}
          onSubmit={(payload) => {
            setServerErrors(null);
            createReader.mutate(payload);
          }}
        />
      </Modal>
    </>
  );
}
