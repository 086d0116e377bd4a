import { Paper, Stack, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import type { NewApiToken } from '../api/types';

import { NewTokenForm } from './new-token-form';
import { TokenShownOnce } from './token-shown-once';
import { TokensList } from './tokens-list';

/** The tokens page: make one (shown once), and the list with revoke. */
export function TokensPanel() {
  const { t } = useTranslation();
  const [created, setCreated] = useState<NewApiToken | null>(null);
  return (
    <Stack gap="lg">
      <Paper component="section" withBorder radius="md" p="lg" aria-labelledby="tokens-new-title">
        <Stack gap="md">
          <Title order={2} size="h3" id="tokens-new-title">
            {t('tokens.new.title')}
          </Title>
          {created && <TokenShownOnce token={created} onDone={() => setCreated(null)} />}
          <NewTokenForm onCreated={setCreated} />
        </Stack>
      </Paper>
      <Paper component="section" withBorder radius="md" p="lg" aria-labelledby="tokens-list-title">
        <Stack gap="md">
          <Title order={2} size="h3" id="tokens-list-title">
            {t('tokens.listTitle')}
          </Title>
          <TokensList />
        </Stack>
      </Paper>
    </Stack>
  );
}
