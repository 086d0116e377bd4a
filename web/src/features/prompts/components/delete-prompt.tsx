import { Button, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconTrash } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';

import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { notifySuccess } from '@/lib/notify';

import { useDeletePrompt } from '../api/delete-prompt';

type DeletePromptProps = {
  promptId: number;
  /** The name shown to the user (its title, or the start of its text). */
  name: string;
  onDeleted?: () => void;
};

/** A delete button that asks first, in a dialog, and shows when the deletion runs. */
export function DeletePrompt({ promptId, name, onDeleted }: DeletePromptProps) {
  const { t } = useTranslation();
  const [opened, { open, close }] = useDisclosure(false);
  const deletePrompt = useDeletePrompt({
    onSuccess: () => {
      close();
      notifySuccess(t('prompts.delete.deleted'));
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
        disabled={deletePrompt.isPending}
        aria-label={t('prompts.delete.buttonLabel', { name })}
      >
        {t('prompts.delete.button')}
      </Button>
      <ConfirmDialog
        opened={opened}
        title={t('prompts.delete.confirmTitle')}
        confirmLabel={t('prompts.delete.confirm')}
        pending={deletePrompt.isPending}
        onConfirm={() => deletePrompt.mutate({ promptId })}
        onClose={close}
      >
        <Text size="sm">{t('prompts.delete.confirmBody', { name })}</Text>
      </ConfirmDialog>
    </>
  );
}
