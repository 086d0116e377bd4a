import { Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';

import { ContentLayout } from '@/components/layouts/content-layout';
import { QuotaLine } from '@/components/ui/quota-line';
import { RoleBadge } from '@/components/ui/role-badge';
import { ChangePasswordForm } from '@/features/auth/components/change-password-form';
import { DeleteAccount } from '@/features/auth/components/delete-account';
import { useUser } from '@/lib/auth';
import { formatDateTime } from '@/lib/format';

export default function AccountRoute() {
  const { t, i18n } = useTranslation();
  const me = useUser().data;
  if (!me) return null;
  const locale = i18n.resolvedLanguage ?? 'en';
  return (
    <ContentLayout title={t('account.title')}>
      <Paper component="section" withBorder radius="md" p="lg" aria-labelledby="account-who">
        <Stack gap="sm">
          <Title order={2} size="h3" id="account-who">
            {t('account.who')}
          </Title>
          <Group gap="xs">
            <Text fw={600}>{me.email}</Text>
            <RoleBadge role={me.role} />
          </Group>
          <Text size="sm" c="dimmed">
            {t('account.since', { date: formatDateTime(me.created_at, locale) })}
          </Text>
          <Stack gap={4}>
            <Text size="sm" fw={500}>
              {t('quota.title')}
            </Text>
            <QuotaLine quota={me.quota} withBar />
            <Text size="xs" c="dimmed">
              {t('quota.resets', { date: formatDateTime(me.quota.resets_at, locale) })}
            </Text>
          </Stack>
        </Stack>
      </Paper>
      <Paper component="section" withBorder radius="md" p="lg" aria-labelledby="account-password">
        <Stack gap="md">
          <Stack gap={4}>
            <Title order={2} size="h3" id="account-password">
              {t('account.password.title')}
            </Title>
            <Text size="sm" c="dimmed">
              {t('account.password.hint')}
            </Text>
          </Stack>
          <ChangePasswordForm />
        </Stack>
      </Paper>
      <Paper component="section" withBorder radius="md" p="lg" aria-labelledby="account-delete">
        <Stack gap="md">
          <Stack gap={4}>
            <Title order={2} size="h3" id="account-delete">
              {t('account.delete.title')}
            </Title>
            <Text size="sm" c="dimmed">
              {t('account.delete.hint')}
            </Text>
          </Stack>
          <DeleteAccount />
        </Stack>
      </Paper>
    </ContentLayout>
  );
}
