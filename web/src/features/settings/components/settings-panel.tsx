import { Alert, Button, Center, Group, Loader, Paper, Stack, Text, Title, VisuallyHidden } from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';
import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'react-router';

import { LanguageSwitcher } from '@/components/ui/language-switcher';
import { settingsSections } from '@/config/paths';

import { getAdminToken, setAdminToken } from '../api/admin-token';
import { useSettings } from '../api/get-settings';

import { AddEngineForm } from './add-engine-form';
import { AdminTokenField } from './admin-token-field';
import { DefaultsForm } from './defaults-form';
import { EnginesList } from './engines-list';
import { FoundServers } from './found-servers';
import { ModelFiles } from './model-files';
import { RetentionForm } from './retention-form';

function Section({ id, title, hint, children }: { id: string; title: string; hint?: string; children: ReactNode }) {
  return (
    <Paper component="section" withBorder radius="md" p="lg" aria-labelledby={`${id}-title`} id={id} tabIndex={-1}>
      <Stack gap="md">
        <Stack gap={4}>
          <Title order={2} size="h3" id={`${id}-title`}>
            {title}
          </Title>
          {hint && (
            <Text size="sm" c="dimmed">
              {hint}
            </Text>
          )}
        </Stack>
        {children}
      </Stack>
    </Paper>
  );
}

/** The settings page: engines, story defaults, how long stories are kept, a new engine, and the interface language. */
export function SettingsPanel() {
  const { t } = useTranslation();
  const settings = useSettings();
  const [needsToken, setNeedsToken] = useState(false);
  const [hasToken, setHasToken] = useState(() => getAdminToken() !== '');
  const askForToken = () => setNeedsToken(true);
  const { hash } = useLocation();

  // A link to one section (#settings-model-files ...) scrolls to it and moves the focus there.
  useEffect(() => {
    const target = hash ? document.getElementById(hash.slice(1)) : null;
    if (!target) return;
    target.scrollIntoView({ block: 'start' });
    target.focus({ preventScroll: true });
  }, [hash]);

  let settingsForms: ReactNode;
  if (settings.isPending) {
    settingsForms = (
      <Center py="lg" role="status" aria-live="polite">
        <Loader aria-hidden />
        <VisuallyHidden>{t('settings.loading')}</VisuallyHidden>
      </Center>
    );
  } else if (settings.isError) {
    settingsForms = (
      <Alert color="red" icon={<IconAlertCircle aria-hidden />} title={t('settings.failed')}>
        <Button variant="light" color="red" mt="sm" onClick={() => void settings.refetch()} loading={settings.isFetching}>
          {t('common.retry')}
        </Button>
      </Alert>
    );
  }

  return (
    <Stack gap="lg">
      {needsToken && (
        <AdminTokenField
          onSaved={() => {
            setNeedsToken(false);
            setHasToken(getAdminToken() !== '');
          }}
        />
      )}
      {!needsToken && hasToken && (
        <Group gap="xs" justify="flex-end">
          <Text size="sm" c="dimmed">
            {t('settings.token.inUse')}
          </Text>
          <Button
            variant="subtle"
            size="compact-sm"
            onClick={() => {
              setAdminToken('');
              setHasToken(false);
            }}
          >
            {t('settings.token.forget')}
          </Button>
        </Group>
      )}
      <Section id="settings-engines" title={t('settings.engines.title')} hint={t('settings.engines.hint')}>
        <EnginesList />
      </Section>
      <Section id={settingsSections.foundServers} title={t('settings.found.sectionTitle')} hint={t('settings.found.hint')}>
        <FoundServers onUnauthorized={askForToken} />
      </Section>
      <Section id={settingsSections.modelFiles} title={t('settings.files.title')} hint={t('settings.files.hint')}>
        <ModelFiles onUnauthorized={askForToken} />
      </Section>
      <Section id="settings-defaults" title={t('settings.defaults.title')} hint={t('settings.defaults.hint')}>
        {settingsForms ??
          (settings.data && (
            <DefaultsForm key={JSON.stringify(settings.data)} settings={settings.data} onUnauthorized={askForToken} />
          ))}
      </Section>
      <Section id="settings-retention" title={t('settings.retention.title')} hint={t('settings.retention.hint')}>
        {settingsForms ??
          (settings.data && (
            <RetentionForm
              key={String(settings.data.story_retention_days ?? null)}
              settings={settings.data}
              onUnauthorized={askForToken}
            />
          ))}
      </Section>
      <Section id="settings-add-engine" title={t('settings.addEngine.title')} hint={t('settings.addEngine.hint')}>
        {settingsForms ??
          (settings.data && <AddEngineForm settings={settings.data} onUnauthorized={askForToken} />)}
      </Section>
      <Section id="settings-language" title={t('settings.language.title')} hint={t('settings.language.hint')}>
        <div>
          <LanguageSwitcher />
        </div>
      </Section>
    </Stack>
  );
}
