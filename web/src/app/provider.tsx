import '@mantine/core/styles.css';
import 'react-toastify/dist/ReactToastify.css';
import '@/styles/global.css';

import { MantineProvider, useComputedColorScheme } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ToastContainer } from 'react-toastify';

import { cssVariablesResolver, theme } from '@/app/theme';
import { createQueryClient } from '@/lib/react-query';

function Toasts() {
  const { t } = useTranslation();
  const scheme = useComputedColorScheme('light');
  const phone = useMediaQuery('(max-width: 48em)');
  return (
    <ToastContainer
      position={phone ? 'bottom-center' : 'top-right'}
      theme={scheme === 'dark' ? 'dark' : 'light'}
      autoClose={4000}
      closeOnClick={false}
      pauseOnFocusLoss
      newestOnTop
      limit={4}
      aria-label={t('common.notifications')}
    />
  );
}

type AppProviderProps = {
  children: ReactNode;
  /** Tests pass their own client (retries off). */
  queryClient?: QueryClient;
  /** `test`: no transitions or portals, as Mantine recommends for jsdom. */
  mantineEnv?: 'default' | 'test';
};

/** Everything the app needs around it: theme, server state, toasts. */
export function AppProvider({ children, queryClient, mantineEnv = 'default' }: AppProviderProps) {
  const [client] = useState(() => queryClient ?? createQueryClient());
  return (
    <MantineProvider
      theme={theme}
      cssVariablesResolver={cssVariablesResolver}
      defaultColorScheme="auto"
      env={mantineEnv}
    >
      <QueryClientProvider client={client}>
        {children}
        <Toasts />
      </QueryClientProvider>
    </MantineProvider>
  );
}
