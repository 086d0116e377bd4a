import { Button, Group, Modal } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

type ConfirmDialogProps = {
  opened: boolean;
  title: string;
  /** The words on the button that does it ("Delete"). */
  confirmLabel: string;
  /** The action runs: the dialog stays open and cannot be dismissed until it ends. */
  pending: boolean;
  onConfirm: () => void;
  onClose: () => void;
  /** What will happen, and any choice that goes with it. */
  children: ReactNode;
};

/**
 * Asks before something that cannot be undone. Focus starts on Cancel, the
 * safe choice; the confirming button shows when the action runs.
 */
export function ConfirmDialog({ opened, title, confirmLabel, pending, onConfirm, onClose, children }: ConfirmDialogProps) {
  const { t } = useTranslation();
  return (
    <Modal
      opened={opened}
      onClose={() => {
        if (!pending) onClose();
      }}
      title={title}
      closeButtonProps={{ 'aria-label': t('common.close') }}
      centered
    >
      {children}
      <Group justify="flex-end" mt="lg">
        <Button variant="default" onClick={onClose} disabled={pending} data-autofocus>
          {t('common.cancel')}
        </Button>
        <Button color="red.9" loading={pending} onClick={onConfirm}>
          {confirmLabel}
        </Button>
      </Group>
    </Modal>
  );
}
