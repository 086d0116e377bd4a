import { Button, Checkbox, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { notifySuccess } from '@/lib/notify';

import { useDeleteReader } from '../api/delete-reader';

type DeleteReaderProps = {
  readerId: number;
  name: string;
  onDeleted?: () => void;
};

/** A delete button that asks first; the reader's stories are kept unless the box is ticked. */
export function DeleteReader({ readerId, name, onDeleted }: DeleteReaderProps) {
  const { t } = useTranslation();
  const [opened, { open, close }] = useDisclosure(false);
  const [deleteStories, setDeleteStories] = useState(false);
  const deleteReader = useDeleteReader({
    onSuccess: (_data, variables) => {
      close();
      notifySuccess(variables.deleteStories ? t('readers.delete.deletedWithStories') : t('readers.delete.deleted'));
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
        onClick={() => {
          setDeleteStories(false);
          open();
        }}
        disabled={deleteReader.isPending}
        aria-label={t('readers.delete.buttonLabel', { name })}
      >
        {t('readers.delete.button')}
      </Button>
      <ConfirmDialog
        opened={opened}
        title={t('readers.delete.confirmTitle', { name })}
        confirmLabel={deleteStories ? t('readers.delete.confirmWithStories') : t('readers.delete.confirm')}
        pending={deleteReader.isPending}
        onConfirm={() => deleteReader.mutate({ readerId, deleteStories })}
        onClose={close}
      >
        <Text size="sm">{t('readers.delete.confirmBody', { name })}</Text>
        <Checkbox
          mt="md"
          label={t('readers.delete.alsoStories')}
          description={t('readers.delete.alsoStoriesHint')}
          checked={deleteStories}
          onChange={(event) => setDeleteStories(event.currentTarget.checked)}
          disabled={deleteReader.isPending}
        />
      </ConfirmDialog>
    </>
  );
}
