import { Group, Stack, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

type ContentLayoutProps = {
  /** The page's heading, also shown in the browser tab. */
  title: string;
  /** When the heading is drawn by the page itself (e.g. from data). */
  hideHeading?: boolean;
  actions?: ReactNode;
  children: ReactNode;
};

/** A page: its title in the tab and as the one h1, optional actions beside it. */
export function ContentLayout({ title, hideHeading = false, actions, children }: ContentLayoutProps) {
  const { t } = useTranslation();
  useDocumentTitle(title ? t('app.pageTitle', { page: title }) : t('app.name'));
  return (
    <Stack gap="lg" maw={860} mx="auto" w="100%">
      {!hideHeading && (
        <Group justify="space-between" align="center" gap="sm">
          <Title order={1}>{title}</Title>
          {actions}
        </Group>
      )}
      {children}
    </Stack>
  );
}
