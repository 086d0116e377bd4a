import { Button, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconTrash } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';

import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { notifySuccess } from '@/lib/notify';

import { useDeleteReader } from '../api/delete-reader';

import { ExportReader } from './export-reader';

type DeleteReaderProps = {
  readerId: number;
  name: string;
  onDeleted?: () => void;
};

/** A delete button that asks first, saying the reader's stories go too and offering a copy. */
export function DeleteReader({ readerId, name, onDeleted }: DeleteReaderProps) {
  const { t } = useTranslation();
  const [opened, { open, close }] = useDisclosure(false);
  const deleteReader = useDeleteReader({
    onSuccess: () => {
      close();
      notifySuccess(t('readers.delete.deleted', { name }));
      onDeleted?.();
    },
  });

  return (
    <>
      <Button
        variant="subtle"
        color="red"
        size="compact-sm"
        leftSection={<IconTrash size={16} aria-hidden />}
        onClick={open}
        disabled={deleteReader.isPending}
        aria-label={t('readers.delete.buttonLabel', { name })}
      >
        {t('readers.delete.button')}
      </Button>
      <ConfirmDialog
        opened={opened}
        title={t('readers.delete.confirmTitle', { name })}
        confirmLabel={t('readers.delete.confirm')}
        pending={deleteReader.isPending}
        onConfirm={() => deleteReader.mutate({ readerId })}
        onClose={close}
      >
        <Text size="sm">{t('readers.delete.confirmBody', { name })}</Text>
        <Text size="sm" mt="sm">
          {t('readers.delete.keepCopy')}
        </Text>
        <Text size="sm" mt="xs" component="div">
          <ExportReader readerId={readerId} name={name} />
        </Text>
      </ConfirmDialog>
    </>
  );
}
