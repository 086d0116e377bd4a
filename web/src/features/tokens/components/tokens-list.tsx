import { Alert, Button, Center, Loader, Table, Text, VisuallyHidden } from '@mantine/core';
import { IconAlertCircle, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { formatDateTime } from '@/lib/format';
import { notifySuccess } from '@/lib/notify';

import { useDeleteToken } from '../api/delete-token';
import { useTokens } from '../api/get-tokens';
import type { ApiToken } from '../api/types';

function RevokeToken({ token }: { token: ApiToken }) {
  const { t } = useTranslation();
  const [opened, setOpened] = useState(false);
  const revoke = useDeleteToken({
    onSuccess: () => {
      setOpened(false);
      notifySuccess(t('tokens.revoke.done', { name: token.name }));
    },
  });
  return (
    <>
      <Button
        variant="subtle"
        color="red"
        size="compact-sm"
        leftSection={<IconTrash size={16} aria-hidden />}
        onClick={() => setOpened(true)}
        aria-label={t('tokens.revoke.button', { name: token.name })}
      >
        {t('tokens.revoke.short')}
      </Button>
      <ConfirmDialog
        opened={opened}
        title={t('tokens.revoke.title')}
        confirmLabel={t('tokens.revoke.confirm')}
        pending={revoke.isPending}
        onConfirm={() => revoke.mutate(token.id)}
        onClose={() => setOpened(false)}
      >
        <Text>{t('tokens.revoke.body', { name: token.name, prefix: token.prefix })}</Text>
      </ConfirmDialog>
    </>
  );
}

/** The account's tokens: name, first characters, created, last used, and revoke. */
export function TokensList() {
  const { t, i18n } = useTranslation();
  const tokens = useTokens();
  const locale = i18n.resolvedLanguage ?? 'en';

  if (tokens.isPending) {
    return (
      <Center py="lg" role="status" aria-live="polite">
        <Loader aria-hidden />
        <VisuallyHidden>{t('tokens.loading')}</VisuallyHidden>
      </Center>
    );
  }
  if (tokens.isError) {
    return (
      <Alert color="red" icon={<IconAlertCircle aria-hidden />} title={t('tokens.failed')}>
        <Button variant="light" color="red" mt="sm" onClick={() => void tokens.refetch()} loading={tokens.isFetching}>
          {t('common.retry')}
        </Button>
      </Alert>
    );
  }
  if (tokens.data.items.length === 0) {
    return <Text c="dimmed">{t('tokens.empty')}</Text>;
  }

  return (
    <Table.ScrollContainer minWidth={560}>
      <Table verticalSpacing="sm" aria-label={t('tokens.listLabel')}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('tokens.columns.name')}</Table.Th>
            <Table.Th>{t('tokens.columns.prefix')}</Table.Th>
            <Table.Th>{t('tokens.columns.created')}</Table.Th>
            <Table.Th>{t('tokens.columns.lastUsed')}</Table.Th>
            <Table.Th>
              <VisuallyHidden>{t('tokens.columns.actions')}</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {tokens.data.items.map((token) => (
            <Table.Tr key={token.id} data-testid="token-row">
              <Table.Td>
                <Text fw={600}>{token.name}</Text>
              </Table.Td>
              <Table.Td>
                <Text ff="monospace" size="sm" lang="en">
                  {t('tokens.prefix', { prefix: token.prefix })}
                </Text>
              </Table.Td>
              <Table.Td>{formatDateTime(token.created_at, locale)}</Table.Td>
              <Table.Td>{token.last_used_at ? formatDateTime(token.last_used_at, locale) : t('tokens.neverUsed')}</Table.Td>
              <Table.Td ta="right">
                <RevokeToken token={token} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
