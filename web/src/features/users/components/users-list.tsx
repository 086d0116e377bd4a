import { Alert, Badge, Button, Center, Group, Loader, Table, Text, VisuallyHidden } from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';

import { QuotaLine } from '@/components/ui/quota-line';
import { RoleBadge } from '@/components/ui/role-badge';
import { useUser } from '@/lib/auth';
import { formatDateTime } from '@/lib/format';

import { useUsers } from '../api/get-users';

import { UserActions } from './user-actions';

/** Every account: email, role, whether it may sign in, today's use of its quota, last sign-in. */
export function UsersList() {
  const { t, i18n } = useTranslation();
  const users = useUsers();
  const me = useUser().data;
  const locale = i18n.resolvedLanguage ?? 'en';

  if (users.isPending) {
    return (
      <Center py="lg" role="status" aria-live="polite">
        <Loader aria-hidden />
        <VisuallyHidden>{t('users.loading')}</VisuallyHidden>
      </Center>
    );
  }
  if (users.isError) {
    return (
      <Alert color="red" icon={<IconAlertCircle aria-hidden />} title={t('users.failed')}>
        <Button variant="light" color="red" mt="sm" onClick={() => void users.refetch()} loading={users.isFetching}>
          {t('common.retry')}
        </Button>
      </Alert>
    );
  }

  return (
    <Table.ScrollContainer minWidth={680}>
      <Table verticalSpacing="sm" aria-label={t('users.listLabel')}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('users.columns.email')}</Table.Th>
            <Table.Th>{t('users.columns.role')}</Table.Th>
            <Table.Th>{t('users.columns.status')}</Table.Th>
            <Table.Th>{t('users.columns.quota')}</Table.Th>
            <Table.Th>{t('users.columns.lastLogin')}</Table.Th>
            <Table.Th>
              <VisuallyHidden>{t('users.columns.actions')}</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {users.data.items.map((user) => (
            <Table.Tr key={user.id} data-testid="user-row">
              <Table.Td>
                <Group gap={6} wrap="nowrap">
                  <Text fw={600} size="sm">
                    {user.email}
                  </Text>
                  {user.id === me?.id && (
                    <Badge size="xs" variant="outline" color="gray" radius="sm" tt="none">
                      {t('users.you')}
                    </Badge>
                  )}
                </Group>
              </Table.Td>
              <Table.Td>
                <RoleBadge role={user.role} />
              </Table.Td>
              <Table.Td>
                <Badge variant={user.disabled ? 'filled' : 'outline'} color={user.disabled ? 'red.9' : 'gray'} radius="sm" tt="none">
                  {user.disabled ? t('users.status.disabled') : t('users.status.active')}
                </Badge>
              </Table.Td>
              <Table.Td>
                <QuotaLine
                  quota={{ daily_tokens: user.daily_token_quota, used_today: user.used_today, resets_at: '' }}
                />
              </Table.Td>
              <Table.Td>
                <Text size="sm">{user.last_login_at ? formatDateTime(user.last_login_at, locale) : t('users.never')}</Text>
              </Table.Td>
              <Table.Td ta="right">
                <UserActions user={user} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
