import { Progress, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';

import type { Quota } from '@/lib/auth';
import { formatNumber } from '@/lib/format';

/** Today's use of the daily token quota: "1,200 of 50,000 tokens today", or that there is no limit. */
export function QuotaLine({ quota, withBar = false }: { quota: Quota; withBar?: boolean }) {
  const { t, i18n } = useTranslation();
  const locale = i18n.resolvedLanguage ?? 'en';
  const used = formatNumber(quota.used_today, locale);
  if (quota.daily_tokens === null) {
    return (
      <Text size="sm" c="dimmed">
        {t('quota.unlimited', { used })}
      </Text>
    );
  }
  const limit = formatNumber(quota.daily_tokens, locale);
  const share = quota.daily_tokens > 0 ? Math.min(100, (quota.used_today / quota.daily_tokens) * 100) : 100;
  const spent = quota.used_today >= quota.daily_tokens;
  return (
    <Stack gap={4}>
      <Text size="sm" c={spent ? 'red.9' : 'dimmed'}>
        {spent ? t('quota.spent', { used, limit }) : t('quota.used', { used, limit })}
      </Text>
      {withBar && (
        <Progress value={share} color={spent ? 'red' : 'teal'} size="sm" aria-label={t('quota.label')} />
      )}
    </Stack>
  );
}
