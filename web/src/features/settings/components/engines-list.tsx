import { Alert, Badge, Button, Card, Center, Group, Loader, Stack, Text, VisuallyHidden } from '@mantine/core';
import { IconAlertCircle, IconCircleCheck, IconCircleX } from '@tabler/icons-react';
import type { CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';

import { wordMessage } from '@/lib/server-messages';

import { useEngines } from '../api/get-engines';

// Dark enough on the light background, light enough on the dark one (4.5:1 either way).
const ENGINE_COLORS = {
  listStyle: 'none',
  '--engine-ok': 'light-dark(var(--mantine-color-teal-9), var(--mantine-color-teal-4))',
  '--engine-bad': 'light-dark(var(--mantine-color-red-9), var(--mantine-color-red-4))',
} as CSSProperties;

/** Every configured engine: its kind, model, languages, health and whether it is the default. */
export function EnginesList() {
  const { t } = useTranslation();
  const engines = useEngines();

  if (engines.isPending) {
    return (
      <Center py="lg" role="status" aria-live="polite">
        <Loader aria-hidden />
        <VisuallyHidden>{t('settings.engines.loading')}</VisuallyHidden>
      </Center>
    );
  }

  if (engines.isError) {
    return (
      <Alert color="red" icon={<IconAlertCircle aria-hidden />} title={t('settings.engines.failed')}>
        <Button variant="light" color="red" mt="sm" onClick={() => void engines.refetch()} loading={engines.isFetching}>
          {t('common.retry')}
        </Button>
      </Alert>
    );
  }

  return (
    <Stack component="ul" gap="sm" p={0} m={0} style={ENGINE_COLORS} aria-label={t('settings.engines.label')}>
      {engines.data.items.map((engine) => (
        <Card component="li" key={engine.name} withBorder radius="md" padding="md" data-testid="engine-card">
          <Stack gap={6}>
            <Group justify="space-between" gap="xs">
              <Group gap="xs">
                <Text fw={600}>{engine.name}</Text>
                {engine.default && (
                  <Badge variant="filled" radius="sm" tt="none">
                    {t('settings.engines.default')}
                  </Badge>
                )}
              </Group>
              <Group gap={4} c={engine.ok ? 'var(--engine-ok)' : 'var(--engine-bad)'} data-testid="engine-health">
                {engine.ok ? <IconCircleCheck size={16} aria-hidden /> : <IconCircleX size={16} aria-hidden />}
                <Text size="sm" fw={600} c="inherit">
                  {engine.ok ? t('settings.engines.ok') : t('settings.engines.notOk')}
                </Text>
              </Group>
            </Group>
            <Text size="sm">
              {t('settings.engines.summary', {
                kind: t(`settings.engines.kinds.${engine.kind}`, { defaultValue: engine.kind }),
                model: engine.model || t('settings.engines.noModel'),
              })}
            </Text>
            <Group gap={6}>
              <Text size="sm" c="dimmed">
                {t('settings.engines.languages')}
              </Text>
              {engine.languages.map((lng) => (
                <Badge key={lng} variant="outline" color="gray" radius="sm" tt="none">
                  {t(`languages.${lng}`, { defaultValue: lng })}
                </Badge>
              ))}
            </Group>
            {engine.models.length > 1 && (
              <Text size="sm" c="dimmed">
                {t('settings.engines.models', { list: engine.models.join(', ') })}
              </Text>
            )}
            {engine.detail && (
              <Text size="sm" c={engine.ok ? 'dimmed' : 'var(--engine-bad)'} data-testid="engine-detail">
                {wordMessage(t, engine.detail_code, engine.detail_params, engine.detail)}
              </Text>
            )}
          </Stack>
        </Card>
      ))}
    </Stack>
  );
}
