import { Alert, Badge, Button, Card, Group, Progress, Stack, Text, TextInput } from '@mantine/core';
import { IconDownload, IconPlayerStop, IconX } from '@tabler/icons-react';
import { useEffect, useRef, useState, type SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';

import { notifySuccess } from '@/lib/notify';
import type { LocalModel, ModelDownload } from '@/types/api';

import { isRunning, useCancelDownload, useDownloads, useLocalModels, useStartDownload, useUseModel } from '../api/models';
import { formatDuration, formatSize } from '../utils/sizes';

import { LanguageChoice } from './language-choice';

const SHA256 = /^[0-9a-fA-F]{64}$/;

function isGgufLink(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.pathname.toLowerCase().endsWith('.gguf');
  } catch {
    return false;
  }
}

function DownloadProgress({ download }: { download: ModelDownload }) {
  const { t, i18n } = useTranslation();
  const cancel = useCancelDownload();
  const lng = i18n.language;
  const total = download.bytes_total;
  const percent = total ? Math.min(100, (download.bytes_done / total) * 100) : 0;
  const size = total
    ? t('settings.files.progress', { done: formatSize(download.bytes_done, lng), total: formatSize(total, lng) })
    : formatSize(download.bytes_done, lng);

  if (download.status === 'failed') {
    return (
      <Alert color="red" icon={<IconX aria-hidden />} title={t('settings.files.failed', { name: download.file_name })} data-testid="download">
        <Stack gap={4}>
          <Text size="sm">
            {t(`settings.files.errors.${download.error?.code ?? 'internal_error'}`, { defaultValue: t('settings.files.errors.internal_error') })}
          </Text>
          {download.error && (
            <Text size="xs" c="dimmed" lang="en">
              {download.error.message}
            </Text>
          )}
          <Button size="xs" variant="subtle" color="red" w="fit-content" onClick={() => cancel.mutate(download.id)}>
            {t('settings.files.dismiss')}
          </Button>
        </Stack>
      </Alert>
    );
  }

  return (
    <Card withBorder radius="md" padding="md" data-testid="download">
      <Stack gap={6}>
        <Group justify="space-between" gap="xs">
          <Text fw={600} lang="en">
            {download.file_name}
          </Text>
          <Button
            size="xs"
            variant="light"
            color="red"
            leftSection={<IconPlayerStop size={16} aria-hidden />}
            onClick={() => cancel.mutate(download.id)}
            loading={cancel.isPending}
          >
            {t('settings.files.cancel')}
          </Button>
        </Group>
        <Progress
          value={Math.round(percent)}
          animated={!total}
          aria-label={t('settings.files.progressLabel', { name: download.file_name })}
        />
        <Group justify="space-between" gap="xs">
          <Text size="sm">{size}</Text>
          <Text size="sm" c="dimmed">
            {download.status === 'verifying'
              ? t('settings.files.verifying')
              : download.seconds_left !== null
                ? t('settings.files.timeLeft', { time: formatDuration(download.seconds_left, lng) })
                : t('settings.files.starting')}
          </Text>
        </Group>
      </Stack>
    </Card>
  );
}

function ModelRow({ model }: { model: LocalModel }) {
  const { t, i18n } = useTranslation();
  const [asking, setAsking] = useState(false);
  const use = useUseModel({
    onSuccess: (engine) => {
      setAsking(false);
      notifySuccess(t('settings.files.used', { name: engine.name }));
    },
  });
  return (
    <Card component="li" withBorder radius="md" padding="md" data-testid="model-file">
      <Stack gap={6}>
        <Group justify="space-between" gap="xs" wrap="wrap">
          <Group gap="xs">
            <Text fw={600} lang="en">
              {model.name}
            </Text>
            <Badge variant="outline" color="gray" radius="sm" tt="none">
              {t(`settings.files.sources.${model.source}`)}
            </Badge>
            <Text size="sm" c="dimmed">
              {formatSize(model.size_bytes, i18n.language)}
            </Text>
          </Group>
          {!asking && (
            <Button size="xs" variant="light" onClick={() => setAsking(true)} aria-label={t('settings.files.useModel', { name: model.name })}>
              {t('settings.files.use')}
            </Button>
          )}
        </Group>
        {model.engines.length > 0 && (
          <Text size="sm" c="dimmed">
            {t('settings.files.usedBy', { list: model.engines.join(', ') })}
          </Text>
        )}
        {asking && (
          <LanguageChoice
            label={t('settings.files.useModel', { name: model.name })}
            confirm={t('settings.files.confirm')}
            pending={use.isPending}
            onCancel={() => setAsking(false)}
            onConfirm={(languages) => use.mutate({ name: model.name, languages })}
          />
        )}
      </Stack>
    </Card>
  );
}

/** Model files: a link to download, the downloads with their progress, and the files to use. */
export function ModelFiles() {
  const { t } = useTranslation();
  const models = useLocalModels();
  const downloads = useDownloads();
  const [url, setUrl] = useState('');
  const [sha256, setSha256] = useState('');
  const [errors, setErrors] = useState<{ url?: string; sha256?: string }>({});
  const start = useStartDownload({
    onSuccess: () => {
      setUrl('');
      setSha256('');
    },
  });
  const refetchModels = models.refetch;

  // A download that has just finished: say so, and list its file.
  const seen = useRef(new Map<string, string>());
  useEffect(() => {
    for (const download of downloads.data?.items ?? []) {
      const before = seen.current.get(download.id);
      if (before && before !== 'done' && download.status === 'done') {
        notifySuccess(t('settings.files.done', { name: download.file_name }));
        void refetchModels();
      }
      seen.current.set(download.id, download.status);
    }
  }, [downloads.data, refetchModels, t]);

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const found: typeof errors = {};
    if (!isGgufLink(url.trim())) found.url = t('settings.files.urlError');
    if (sha256.trim() && !SHA256.test(sha256.trim())) found.sha256 = t('settings.files.sha256Error');
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    start.mutate({ url: url.trim(), ...(sha256.trim() ? { sha256: sha256.trim() } : {}) });
  }

  const shown = (downloads.data?.items ?? []).filter((d) => isRunning(d) || d.status === 'failed');

  return (
    <Stack gap="md">
      <form onSubmit={submit} aria-label={t('settings.files.formLabel')} noValidate>
        <Stack gap="sm">
          <TextInput
            label={t('settings.files.url')}
            description={t('settings.files.urlHint')}
            placeholder="https://example.org/models/model-q4_k_m.gguf"
            value={url}
            onChange={(event) => setUrl(event.currentTarget.value)}
            error={errors.url}
            type="url"
            autoComplete="off"
          />
          <TextInput
            label={t('settings.files.sha256')}
            description={t('settings.files.sha256Hint')}
            value={sha256}
            onChange={(event) => setSha256(event.currentTarget.value)}
            error={errors.sha256}
            autoComplete="off"
            spellCheck={false}
          />
          <Group justify="flex-end">
            <Button type="submit" variant="light" leftSection={<IconDownload size={18} aria-hidden />} loading={start.isPending}>
              {t('settings.files.download')}
            </Button>
          </Group>
        </Stack>
      </form>
      {shown.length > 0 && (
        <Stack gap="sm" aria-label={t('settings.files.downloadsLabel')} role="region" aria-live="polite">
          {shown.map((download) => (
            <DownloadProgress key={download.id} download={download} />
          ))}
        </Stack>
      )}
      {models.data && models.data.items.length > 0 && (
        <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }} aria-label={t('settings.files.label')}>
          {models.data.items.map((model) => (
            <ModelRow key={model.path} model={model} />
          ))}
        </Stack>
      )}
    </Stack>
  );
}
