import { Button, Group, Modal, PasswordInput, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconTrash } from '@tabler/icons-react';
import { useState, type SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';

import { FormProblem } from '@/components/ui/form-problem';
import { PASSWORD_MAX } from '@/lib/account-rules';
import { isApiError } from '@/lib/api-client';
import { fieldErrors } from '@/lib/server-messages';

import { useDeleteAccount } from '../api/delete-account';

/** "Delete my account": everything it owns goes with it, confirmed with the password. */
export function DeleteAccount() {
  const { t } = useTranslation();
  const [opened, { open, close }] = useDisclosure(false);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const remove = useDeleteAccount();

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (password === '') {
      setError(t('auth.errors.passwordRequired'));
      return;
    }
    remove.mutate(password);
  }

  const server = remove.error ? fieldErrors(t, remove.error) : {};
  const lastAdmin = isApiError(remove.error) && remove.error.code === 'last_admin';
  const general = remove.error && !server.password && !lastAdmin ? remove.error : undefined;

  return (
    <>
      <Group>
        <Button variant="outline" color="red" leftSection={<IconTrash size={18} aria-hidden />} onClick={open}>
          {t('account.delete.button')}
        </Button>
      </Group>
      <Modal
        opened={opened}
        onClose={() => {
          if (!remove.isPending) close();
        }}
        title={t('account.delete.title')}
        closeButtonProps={{ 'aria-label': t('common.close') }}
      >
        <form onSubmit={submit} noValidate aria-label={t('account.delete.title')}>
          <Stack gap="md">
            <Text size="sm">{t('account.delete.body')}</Text>
            <PasswordInput
              label={t('auth.password')}
              autoComplete="current-password"
              required
              value={password}
              maxLength={PASSWORD_MAX}
              onChange={(event) => {
                setPassword(event.currentTarget.value);
                setError(undefined);
                if (remove.error) remove.reset();
              }}
              error={error ?? (server.password ? t('account.password.wrongCurrent') : undefined)}
              visibilityToggleButtonProps={{ 'aria-label': t('auth.showPassword') }}
              data-autofocus
            />
            {lastAdmin && <FormProblem message={t('errors.last_admin')} />}
            <FormProblem error={general} />
            <Group justify="flex-end">
              <Button variant="default" onClick={close} disabled={remove.isPending}>
                {t('common.cancel')}
              </Button>
              <Button type="submit" color="red.9" loading={remove.isPending}>
                {t('account.delete.confirm')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}
