import { Alert, Text } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';

import { ContentLayout } from '@/components/layouts/content-layout';
import { NewUser } from '@/features/users/components/new-user';
import { UsersList } from '@/features/users/components/users-list';
import { useIsAdmin } from '@/lib/auth';

export default function UsersRoute() {
  const { t } = useTranslation();
  const admin = useIsAdmin();
  if (!admin) {
    return (
      <ContentLayout title={t('users.title')}>
        <Alert color="gray" icon={<IconLock aria-hidden />} title={t('users.adminOnly')}>
          {t('users.adminOnlyBody')}
        </Alert>
      </ContentLayout>
    );
  }
  return (
    <ContentLayout title={t('users.title')} actions={<NewUser />}>
      <Text c="dimmed">{t('users.intro')}</Text>
      <UsersList />
    </ContentLayout>
  );
}
