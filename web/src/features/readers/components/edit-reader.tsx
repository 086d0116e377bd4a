import { Group, Stack, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import { notifySuccess } from '@/lib/notify';
import type { Reader } from '@/types/api';

import { useUpdateReader } from '../api/update-reader';

import { DeleteReader } from './delete-reader';
import { ExportReader } from './export-reader';
import { ReaderAvatar } from './reader-avatar';
import { ReaderForm } from './reader-form';
import { readerValues, serverFieldErrors, type FieldErrors } from './reader-form-values';

/** A reader's own page: every field, saved with one button; delete, and download everything. */
export function EditReader({ reader, onDeleted }: { reader: Reader; onDeleted?: () => void }) {
  const { t } = useTranslation();
  const [serverErrors, setServerErrors] = useState<FieldErrors | null>(null);
  const updateReader = useUpdateReader({
    onSuccess: () => notifySuccess(t('readers.edit.saved')),
    onError: (error) => setServerErrors(serverFieldErrors(error)),
  });

  return (
    <Stack gap="md">
      <Group gap="md" wrap="nowrap">
        <ReaderAvatar reader={reader} size="xl" />
        <Title order={1} style={{ overflowWrap: 'anywhere' }}>
          {reader.name}
        </Title>
      </Group>
      <ReaderForm
        formLabel={t('readers.edit.formLabel', { name: reader.name })}
        initialValues={readerValues(reader)}
        submitLabel={t('readers.edit.save')}
        pending={updateReader.isPending}
        serverErrors={serverErrors}
        onSubmit={(payload) => {
          setServerErrors(null);
          updateReader.mutate({ readerId: reader.id, data: payload });
        }}
        extraActions={
          <Group gap="md">
            <DeleteReader readerId={reader.id} name={reader.name} onDeleted={onDeleted} />
            <ExportReader readerId={reader.id} name={reader.name} />
          </Group>
        }
      />
    </Stack>
  );
}
