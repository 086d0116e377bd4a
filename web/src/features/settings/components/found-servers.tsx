import { Alert, Badge, Button, Card, Center, Group, Loader, Stack, Text, VisuallyHidden } from '@mantine/core';
import { IconAlertCircle, IconPlus, IconRefresh, IconServer } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import { notifySuccess } from '@/lib/notify';
import type { DiscoveredServer } from '@/types/api';

import { useAddEngine } from '../api/add-engine';
import { useDiscoveredServers } from '../api/discover-engines';

import { LanguageChoice } from './language-choice';

function FoundModel({ server, model }: { server: DiscoveredServer; model: string }) {
  const { t } = useTranslation();
  const [asking, setAsking] = useState(false);
  const kind = t(`settings.found.kinds.${server.kind}`);
  const add = useAddEngine({
    onSuccess: (engine) => {
      setAsking(false);
      notifySuccess(t('settings.found.added', { name: engine.name }));
    },
  });
  const configured = server.configured.find((c) => c.model === model);

  return (
    <Stack gap={6} component="li" data-testid="found-model">
      <Group justify="space-between" gap="xs" wrap="wrap">
        <Text fw={600} lang="en">
          {model}
        </Text>
        {configured ? (
          <Badge variant="light" color="teal" radius="sm" tt="none">
            {t('settings.found.addedAs', { name: configured.engine })}
          </Badge>
        ) : (
          !asking && (
            <Button
              size="xs"
              variant="light"
              leftSection={<IconPlus size={16} aria-hidden />}
              onClick={() => setAsking(true)}
              aria-label={t('settings.found.addModel', { model, kind })}
            >
              {t('settings.found.add')}
            </Button>
          )
        )}
      </Group>
      {asking && !configured && (
        <LanguageChoice
          label={t('settings.found.addModel', { model, kind })}
          confirm={t('settings.found.confirm')}
          pending={add.isPending}
          onCancel={() => setAsking(false)}
          onConfirm={(languages) =>
            add.mutate({ config: { type: 'openai', base_url: server.base_url, model, languages } })
          }
        />
      )}
    </Stack>
  );
}

/** "Found: add it" cards for the model servers running on the server's machine. */
export function FoundServers() {
  const { t } = useTranslation();
  const found = useDiscoveredServers();

  if (found.isPending) {
    return (
      <Center py="lg" role="status" aria-live="polite">
        <Loader aria-hidden />
        <VisuallyHidden>{t('settings.found.looking')}</VisuallyHidden>
      </Center>
    );
  }
  if (found.isError) {
    return (
      <Alert color="red" icon={<IconAlertCircle aria-hidden />} title={t('settings.found.failed')}>
        <Button variant="light" color="red" mt="sm" onClick={() => void found.refetch()} loading={found.isFetching}>
          {t('common.retry')}
        </Button>
      </Alert>
    );
  }

  const lookAgain = (
    <Button
      variant="subtle"
      size="compact-sm"
      leftSection={<IconRefresh size={16} aria-hidden />}
      onClick={() => void found.refetch()}
      loading={found.isFetching}
      w="fit-content"
    >
      {t('settings.found.lookAgain')}
    </Button>
  );

  if (found.data.items.length === 0) {
    return (
      <Stack gap="xs">
        <Text size="sm">{t('settings.found.none', { ports: found.data.ports.join(', ') })}</Text>
        <Text size="sm" c="dimmed">
          {t('settings.found.noneHint')}
        </Text>
        {lookAgain}
      </Stack>
    );
  }

  return (
    <Stack gap="sm">
      <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }} aria-label={t('settings.found.label')}>
        {found.data.items.map((server) => (
          <Card component="li" key={server.base_url} withBorder radius="md" padding="md" data-testid="found-server">
            <Stack gap="sm">
              <Group gap="xs">
                <IconServer size={18} aria-hidden />
                <Text fw={600}>{t('settings.found.title', { kind: t(`settings.found.kinds.${server.kind}`) })}</Text>
                <Text size="sm" c="dimmed" lang="en">
                  {server.base_url}
                </Text>
              </Group>
              {server.models.length === 0 ? (
                <Text size="sm" c="dimmed">
                  {t('settings.found.noModels')}
                </Text>
              ) : (
                <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }}>
                  {server.models.map((model) => (
                    <FoundModel key={model} server={server} model={model} />
                  ))}
                </Stack>
              )}
            </Stack>
          </Card>
        ))}
      </Stack>
      {lookAgain}
    </Stack>
  );
}
