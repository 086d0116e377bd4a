import { Button, Group, TextInput } from '@mantine/core';
import { IconKey } from '@tabler/icons-react';
import { useRef, useState, type SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';

import { FormProblem } from '@/components/ui/form-problem';
import { fieldErrors } from '@/lib/server-messages';

import { useCreateToken } from '../api/create-token';
import type { NewApiToken } from '../api/types';

export const TOKEN_NAME_MAX = 100;

/** A name (what the token is for), then "Create token". */
export function NewTokenForm({ onCreated }: { onCreated: (token: NewApiToken) => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [error, setError] = useState<string>();
  const input = useRef<HTMLInputElement>(null);
  const create = useCreateToken({
    onSuccess: (token) => {
      setName('');
      onCreated(token);
    },
  });

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (name.trim() === '') {
      setError(t('tokens.new.nameRequired'));
      input.current?.focus();
      return;
    }
    create.mutate({ name: name.trim() });
  }

  const server = create.error ? fieldErrors(t, create.error) : {};
  const general = create.error && !server.name ? create.error : undefined;

  return (
    <form onSubmit={submit} noValidate aria-label={t('tokens.new.title')}>
      <Group align="flex-start" gap="sm" wrap="wrap">
        <TextInput
          ref={input}
          label={t('tokens.new.name')}
          description={t('tokens.new.nameHint')}
          required
          value={name}
          maxLength={TOKEN_NAME_MAX}
          onChange={(event) => {
            setName(event.currentTarget.value);
            setError(undefined);
            if (create.error) create.reset();
          }}
          error={error ?? server.name}
          style={{ flex: '1 1 16rem' }}
        />
        <Button type="submit" mt={{ base: 0, xs: 46 }} leftSection={<IconKey size={18} aria-hidden />} loading={create.isPending}>
          {t('tokens.new.submit')}
        </Button>
      </Group>
      {general && (
        <div style={{ marginTop: 'var(--mantine-spacing-sm)' }}>
          <FormProblem error={general} />
        </div>
      )}
    </form>
  );
}
