import { Avatar, Group, Menu, Stack, Text, UnstyledButton } from '@mantine/core';
import { IconChevronDown, IconKey, IconLogout, IconUserCircle, IconUsersGroup } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

import { QuotaLine } from '@/components/ui/quota-line';
import { RoleBadge } from '@/components/ui/role-badge';
import { paths } from '@/config/paths';
import { useSignOut, useUser } from '@/lib/auth';

/** Top right: who is signed in, today's quota, the account's pages, the admin's users page, sign out. */
export function UserMenu() {
  const { t } = useTranslation();
  const user = useUser();
  const me = user.data;
  const signOut = useSignOut();
  if (!me) return null;

  return (
    // Opening it reads the account again: today's quota moves as stories are written.
    <Menu position="bottom-end" width={280} withinPortal shadow="md" onOpen={() => void user.refetch()}>
      <Menu.Target>
        <UnstyledButton aria-label={t('userMenu.open', { email: me.email })} data-testid="user-menu">
          <Group gap={6} wrap="nowrap">
            <Avatar size={30} radius="xl" color="teal" aria-hidden>
              {me.email.slice(0, 1).toUpperCase()}
            </Avatar>
            <Text size="sm" visibleFrom="md" maw={180} truncate="end">
              {me.email}
            </Text>
            <IconChevronDown size={14} aria-hidden />
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Stack gap={6} px="sm" py="xs">
          <Text size="sm" fw={600} truncate="end">
            {me.email}
          </Text>
          <Group gap="xs">
            <RoleBadge role={me.role} />
          </Group>
          <QuotaLine quota={me.quota} />
        </Stack>
        <Menu.Divider />
        <Menu.Item component={Link} to={paths.account.href()} leftSection={<IconUserCircle size={16} aria-hidden />}>
          {t('userMenu.account')}
        </Menu.Item>
        <Menu.Item component={Link} to={paths.tokens.href()} leftSection={<IconKey size={16} aria-hidden />}>
          {t('userMenu.tokens')}
        </Menu.Item>
        {me.role === 'admin' && (
          <Menu.Item component={Link} to={paths.users.href()} leftSection={<IconUsersGroup size={16} aria-hidden />}>
            {t('userMenu.users')}
          </Menu.Item>
        )}
        <Menu.Divider />
        <Menu.Item
          leftSection={<IconLogout size={16} aria-hidden />}
          onClick={() => signOut.mutate()}
          disabled={signOut.isPending}
        >
          {t('userMenu.signOut')}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
