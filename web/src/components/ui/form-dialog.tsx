import { Button, Group, Modal, Stack } from '@mantine/core';
import type { ReactNode, SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';

type FormDialogProps = {
  opened: boolean;
  /** The dialog's title, which also names its form for assistive technology. */
  title: string;
  /** The words on the submit button ("Save quota"). */
  submitLabel: string;
  /** The change is being saved: the dialog stays open and cannot be dismissed until it ends. */
  pending: boolean;
  onSubmit: (event: SubmitEvent<HTMLFormElement>) => void;
  onClose: () => void;
  /** The form's fields and what goes with them. */
  children: ReactNode;
};

/** A small form in a dialog: its fields, then Cancel and the submit button. */
export function FormDialog({ opened, title, submitLabel, pending, onSubmit, onClose, children }: FormDialogProps) {
  const { t } = useTranslation();
  return (
    <Modal
      opened={opened}
      onClose={() => {
        if (!pending) onClose();
      }}
      title={title}
      closeButtonProps={{ 'aria-label': t('common.close') }}
    >
      <form onSubmit={onSubmit} noValidate aria-label={title}>
        <Stack gap="md">
          {children}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={pending}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={pending}>
              {submitLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
