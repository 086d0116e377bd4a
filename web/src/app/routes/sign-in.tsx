import { Center, Loader, VisuallyHidden } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useSearchParams } from 'react-router';

import { AuthLayout } from '@/components/layouts/auth-layout';
import { paths } from '@/config/paths';
import { useSetupStatus } from '@/features/auth/api/get-setup-status';
import { SignInForm } from '@/features/auth/components/sign-in-form';
import { safeNext } from '@/lib/auth';

export default function SignInRoute() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const next = safeNext(search.get('next'));
  const setup = useSetupStatus();

  // A brand-new Storybot has nobody to sign in yet: its first account comes first.
  if (setup.data?.needed) return <Navigate to={paths.setup.href()} replace />;

  return (
    <AuthLayout title={t('auth.signIn.title')} intro={t('auth.signIn.intro')}>
      {setup.isPending ? (
        <Center py="md" role="status">
          <Loader aria-hidden />
          <VisuallyHidden>{t('common.loading')}</VisuallyHidden>
        </Center>
      ) : (
        <SignInForm onDone={() => void navigate(next, { replace: true })} />
      )}
    </AuthLayout>
  );
}
