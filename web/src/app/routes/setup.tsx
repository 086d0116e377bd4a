import { Center, Loader, VisuallyHidden } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate } from 'react-router';

import { AuthLayout } from '@/components/layouts/auth-layout';
import { paths } from '@/config/paths';
import { useSetupStatus } from '@/features/auth/api/get-setup-status';
import { SetupForm } from '@/features/auth/components/setup-form';

export default function SetupRoute() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const setup = useSetupStatus();

  // Once any account exists this page has nothing to do (the server refuses a second setup too).
  if (setup.data && !setup.data.needed) return <Navigate to={paths.signIn.href()} replace />;

  return (
    <AuthLayout title={t('auth.setup.title')} intro={t('auth.setup.intro')}>
      {setup.isPending ? (
        <Center py="md" role="status">
          <Loader aria-hidden />
          <VisuallyHidden>{t('common.loading')}</VisuallyHidden>
        </Center>
      ) : (
        <SetupForm onDone={() => void navigate(paths.stories.href(), { replace: true })} />
      )}
    </AuthLayout>
  );
}
