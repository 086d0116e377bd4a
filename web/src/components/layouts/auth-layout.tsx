import { Box, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

import { ColorSchemeToggle } from '@/components/ui/color-scheme-toggle';
import { LanguageSwitcher } from '@/components/ui/language-switcher';

type AuthLayoutProps = {
  /** The page's one h1, also in the browser tab. */
  title: string;
  /** A line under the title: what this page is for. */
  intro?: string;
  children: ReactNode;
};

/** The frame of the pages before signing in: one calm card, the language and night mode at hand. */
export function AuthLayout({ title, intro, children }: AuthLayoutProps) {
  const { t } = useTranslation();
  useDocumentTitle(t('app.pageTitle', { page: title }));
  return (
    <Box mih="100vh" px="md" py="xl">
      <Group justify="flex-end" gap="xs" mb="xl" component="header">
        <LanguageSwitcher />
        <ColorSchemeToggle />
      </Group>
      <Stack component="main" id="main" maw={440} mx="auto" gap="lg">
        <Text fw={800} size="xl" ta="center">
          {t('app.name')}
        </Text>
        <Paper withBorder radius="md" p="xl">
          <Stack gap="md">
            <Stack gap={4}>
              <Title order={1} size="h2">
                {title}
              </Title>
              {intro && <Text c="dimmed">{intro}</Text>}
            </Stack>
            {children}
          </Stack>
        </Paper>
      </Stack>
    </Box>
  );
}
