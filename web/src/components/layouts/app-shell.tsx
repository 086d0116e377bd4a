import { Anchor, AppShell, Box, Center, Group, Loader, NavLink, Stack, Text, UnstyledButton } from '@mantine/core';
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation } from 'react-router';

import { ColorSchemeToggle } from '@/components/ui/color-scheme-toggle';
import { LanguageSwitcher } from '@/components/ui/language-switcher';
import { paths } from '@/config/paths';

import classes from './app-shell.module.css';
import { PLACES } from './places';

// The menu's popover code (floating-ui, ~65 kB) loads just after the first screen, not with it.
const UserMenu = lazy(() => import('./user-menu').then((module) => ({ default: module.UserMenu })));

function PageLoading() {
  const { t } = useTranslation();
  return (
    <Center py="xl" role="status">
      <Loader aria-label={t('common.loading')} />
    </Center>
  );
}

/** The frame of every page: header, the places (a sidebar, or a bottom bar on a phone), the page. */
export function AppLayout() {
  const { t } = useTranslation();
  const { pathname } = useLocation();

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: true } }}
      footer={{ height: { base: 64, sm: 0 } }}
      padding="md"
    >
      <a className="skip-link" href="#main">
        {t('nav.skipToContent')}
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Anchor component={Link} to={paths.stories.href()} underline="never" c="var(--mantine-color-text)">
            <Text fw={800} size="lg">
              {t('app.name')}
            </Text>
          </Anchor>
          <Group gap="xs" wrap="nowrap">
            <LanguageSwitcher />
            <ColorSchemeToggle />
            <Suspense fallback={<Box w={30} h={30} />}>
              <UserMenu />
            </Suspense>
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="xs" component="nav" visibleFrom="sm" aria-label={t('nav.label')}>
        {PLACES.map((place) => (
          <NavLink
            key={place.to}
            component={Link}
            to={place.to}
            label={t(place.labelKey)}
            leftSection={<place.icon size={20} aria-hidden />}
            active={place.matches(pathname)}
            aria-current={place.matches(pathname) ? 'page' : undefined}
            variant="light"
          />
        ))}
      </AppShell.Navbar>

      <AppShell.Main id="main" tabIndex={-1}>
        <Suspense fallback={<PageLoading />}>
          <Outlet />
        </Suspense>
      </AppShell.Main>

      <AppShell.Footer hiddenFrom="sm" component="nav" aria-label={t('nav.label')} className={classes.bottomBar}>
        <Group grow gap={0} h="100%" wrap="nowrap">
          {PLACES.map((place) => {
            const active = place.matches(pathname);
            return (
              <UnstyledButton
                key={place.to}
                component={Link}
                to={place.to}
                className={classes.bottomItem}
                data-active={active || undefined}
                aria-current={active ? 'page' : undefined}
              >
                <Stack gap={2} align="center">
                  <place.icon size={22} aria-hidden />
                  <Text size="xs" lh={1.2} ta="center">
                    {t(place.shortKey)}
                  </Text>
                </Stack>
              </UnstyledButton>
            );
          })}
        </Group>
      </AppShell.Footer>
    </AppShell>
  );
}
