import { ActionIcon, Menu, Text } from '@mantine/core';
import { IconDots, IconGauge, IconKey, IconLock, IconLockOpen, IconShield, IconUser } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { notifySuccess } from '@/lib/notify';

import { useUpdateUser } from '../api/update-user';
import type { User } from '../api/types';

import { QuotaDialog, ResetPasswordDialog } from './user-dialogs';

type Open = 'reset' | 'quota' | 'disable' | null;

/** One account's actions: role, a new password, the daily quota, disable or enable. */
export function UserActions({ user }: { user: User }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState<Open>(null);
  const close = () => setOpen(null);
  const update = useUpdateUser({
    onSuccess: (saved) => {
      close();
      if (saved.disabled !== user.disabled) {
        notifySuccess(t(saved.disabled ? 'users.disable.done' : 'users.enable.done', { email: saved.email }));
      } else if (saved.role !== user.role) {
        notifySuccess(t('users.role.done', { email: saved.email, role: t(`auth.roles.${saved.role}`) }));
      }
    },
  });
  const otherRole = user.role === 'admin' ? 'member' : 'admin';

  return (
    <>
      <Menu position="bottom-end" withinPortal>
        <Menu.Target>
          <ActionIcon variant="subtle" color="gray" aria-label={t('users.actions', { email: user.email })} loading={update.isPending}>
            <IconDots size={18} aria-hidden />
          </ActionIcon>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Item
            leftSection={otherRole === 'admin' ? <IconShield size={16} aria-hidden /> : <IconUser size={16} aria-hidden />}
            onClick={() => update.mutate({ id: user.id, role: otherRole })}
          >
            {t(`users.role.make_${otherRole}`)}
          </Menu.Item>
          <Menu.Item leftSection={<IconKey size={16} aria-hidden />} onClick={() => setOpen('reset')}>
            {t('users.reset.item')}
          </Menu.Item>
          <Menu.Item leftSection={<IconGauge size={16} aria-hidden />} onClick={() => setOpen('quota')}>
            {t('users.quota.item')}
          </Menu.Item>
          <Menu.Divider />
          {user.disabled ? (
            <Menu.Item leftSection={<IconLockOpen size={16} aria-hidden />} onClick={() => update.mutate({ id: user.id, disabled: false })}>
              {t('users.enable.item')}
            </Menu.Item>
          ) : (
            <Menu.Item color="red" leftSection={<IconLock size={16} aria-hidden />} onClick={() => setOpen('disable')}>
              {t('users.disable.item')}
            </Menu.Item>
          )}
        </Menu.Dropdown>
      </Menu>
      {open === 'reset' && <ResetPasswordDialog user={user} opened onClose={close} />}
      {open === 'quota' && <QuotaDialog user={user} opened onClose={close} />}
      <ConfirmDialog
        opened={open === 'disable'}
        title={t('users.disable.title', { email: user.email })}
        confirmLabel={t('users.disable.confirm')}
        pending={update.isPending}
        onConfirm={() => update.mutate({ id: user.id, disabled: true })}
        onClose={close}
      >
        <Text>{t('users.disable.body')}</Text>
      </ConfirmDialog>
    </>
  );
}
