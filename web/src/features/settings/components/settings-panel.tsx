import { Alert, Button, Center, Loader, Paper, Stack, Text, Title, VisuallyHidden } from '@mantine/core';
import { IconAlertCircle, IconLock } from '@tabler/icons-react';
import { useEffect, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'react-router';

import { LanguageSwitcher } from '@/components/ui/language-switcher';
import { settingsSections } from '@/config/paths';
import { useIsAdmin } from '@/lib/auth';
import type { RuntimeSettings } from '@/types/api';

import { useSettings } from '../api/get-settings';
import { useMyDefaults } from '../api/my-defaults';

import { AddEngineForm } from './add-engine-form';
import { DefaultsForm } from './defaults-form';
import { EnginesList } from './engines-list';
import { FoundServers } from './found-servers';
import { ModelFiles } from './model-files';
import { MyDefaultsForm } from './my-defaults-form';
import { QueueForm } from './queue-form';
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

/** The account's own defaults, once both they and the global settings are loaded. */
function MyDefaults({ settings }: { settings: RuntimeSettings }) {
  const { t } = useTranslation();
  const mine = useMyDefaults();
  if (mine.isPending) {
    return (
      <Center py="lg" role="status" aria-live="polite">
        <Loader aria-hidden />
        <VisuallyHidden>{t('settings.mine.loading')}</VisuallyHidden>
      </Center>
    );
  }
  if (mine.isError) {
    return (
      <Alert color="red" icon={<IconAlertCircle aria-hidden />} title={t('settings.mine.failed')}>
        <Button variant="light" color="red" mt="sm" onClick={() => void mine.refetch()} loading={mine.isFetching}>
          {t('common.retry')}
        </Button>
      </Alert>
    );
  }
  return <MyDefaultsForm key={JSON.stringify([mine.data, settings])} mine={mine.data} settings={settings} />;
}

/**
 * The settings page: engines, the account's own story defaults, the defaults
 * for everyone, how long stories are kept, how many may wait to be written, a
 * new engine, and the interface language. Everything but the account's own
 * defaults and the language is the admin's to change: a member sees the
 * engines, retention and the queue's limits read-only, with
 * a note saying so, and not the admin's tools at all.
 */
export function SettingsPanel() {
  const { t } = useTranslation();
  const settings = useSettings();
  const admin = useIsAdmin();
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
      {!admin && (
        <Alert color="gray" variant="light" icon={<IconLock aria-hidden />} title={t('settings.readOnly.title')}>
          {t('settings.readOnly.body')}
        </Alert>
      )}
      <Section id="settings-engines" title={t('settings.engines.title')} hint={t('settings.engines.hint')}>
        <EnginesList />
      </Section>
      {admin && (
        <Section id={settingsSections.foundServers} title={t('settings.found.sectionTitle')} hint={t('settings.found.hint')}>
          <FoundServers />
        </Section>
      )}
      {admin && (
        <Section id={settingsSections.modelFiles} title={t('settings.files.title')} hint={t('settings.files.hint')}>
          <ModelFiles />
        </Section>
      )}
      <Section id="settings-my-defaults" title={t('settings.mine.title')} hint={t('settings.mine.hint')}>
        {settingsForms ?? (settings.data && <MyDefaults settings={settings.data} />)}
      </Section>
      {admin && (
        <Section id="settings-defaults" title={t('settings.defaults.title')} hint={t('settings.defaults.hint')}>
          {settingsForms ??
            (settings.data && <DefaultsForm key={JSON.stringify(settings.data)} settings={settings.data} />)}
        </Section>
      )}
      <Section id="settings-retention" title={t('settings.retention.title')} hint={t('settings.retention.hint')}>
        {settingsForms ??
          (settings.data && (
            <RetentionForm
              key={String(settings.data.story_retention_days ?? null)}
              settings={settings.data}
              readOnly={!admin}
            />
          ))}
      </Section>
      <Section id="settings-queue" title={t('settings.queue.title')} hint={t('settings.queue.hint')}>
        {settingsForms ??
          (settings.data && (
            <QueueForm
              key={`${settings.data.max_stories_per_account}-${settings.data.max_queued_stories}`}
              settings={settings.data}
              readOnly={!admin}
            />
          ))}
      </Section>
      {admin && (
        <Section id="settings-add-engine" title={t('settings.addEngine.title')} hint={t('settings.addEngine.hint')}>
          {settingsForms ?? (settings.data && <AddEngineForm settings={settings.data} />)}
        </Section>
      )}
      <Section id="settings-language" title={t('settings.language.title')} hint={t('settings.language.hint')}>
        <div>
          <LanguageSwitcher />
        </div>
      </Section>
    </Stack>
  );
}
