import { Alert, Button, Center, Loader, VisuallyHidden } from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation, useNavigate } from 'react-router';

import { paths } from '@/config/paths';
import { isApiError, setUnauthorizedHandler } from '@/lib/api-client';
import { ME_QUERY_KEY, useUser } from '@/lib/auth';

function useUnauthorizedRedirect(): void {
  const navigate = useNavigate();
  const { pathname, search } = useLocation();
  const queryClient = useQueryClient();

  useEffect(
    () =>
      setUnauthorizedHandler(() => {
        queryClient.removeQueries({ queryKey: ME_QUERY_KEY });
        void navigate(paths.signIn.href(`${pathname}${search}`), { replace: true });
      }),
    [navigate, queryClient, pathname, search],
  );
}

/**
 * The pages for a signed-in account: they show once `GET /api/me` answers.
 * Not signed in (401, then or on any later request) leads to the sign-in
 * page, which brings the person back here (path and query) afterwards.
 */
export function RequireUser({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const location = useLocation();
  const me = useUser();
  useUnauthorizedRedirect();

  if (me.isPending) {
    return (
      <Center py="xl" mih="50vh" role="status" aria-live="polite">
        <Loader aria-hidden />
        <VisuallyHidden>{t('auth.checking')}</VisuallyHidden>
      </Center>
    );
  }
  if (me.isError) {
    if (isApiError(me.error) && me.error.status === 401) {
      return <Navigate to={paths.signIn.href(`${location.pathname}${location.search}`)} replace />;
    }
    return (
      <Center py="xl" px="md">
        <Alert color="red" icon={<IconAlertCircle aria-hidden />} title={t('auth.meFailed')} maw={480}>
          <Button variant="light" color="red" mt="sm" onClick={() => void me.refetch()} loading={me.isFetching}>
            {t('common.retry')}
          </Button>
        </Alert>
      </Center>
    );
  }
  return children;
}
