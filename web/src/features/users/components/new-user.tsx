import { Button, Group, Modal, PasswordInput, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconUserPlus } from '@tabler/icons-react';
import { useRef, useState, type SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';

import { FormProblem } from '@/components/ui/form-problem';
import { EMAIL_MAX, emailProblem, PASSWORD_MAX, PASSWORD_MIN, passwordProblem } from '@/lib/account-rules';
import { isApiError } from '@/lib/api-client';
import type { Role } from '@/lib/auth';
import { notifySuccess } from '@/lib/notify';
import { fieldErrors } from '@/lib/server-messages';

import { useCreateUser } from '../api/create-user';

const ROLES: Role[] = ['member', 'admin'];

function NewUserForm({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [errors, setErrors] = useState<{ email?: string; password?: string }>({});
  const emailInput = useRef<HTMLInputElement>(null);
  const passwordInput = useRef<HTMLInputElement>(null);
  const create = useCreateUser({
    onSuccess: (user) => {
      notifySuccess(t('users.new.added', { email: user.email }));
      onDone();
    },
  });

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const emailKey = emailProblem(email);
    const passwordKey = passwordProblem(password);
    const found = {
      email: emailKey ? t(`auth.errors.${emailKey}`, { max: EMAIL_MAX }) : undefined,
      password: passwordKey ? t(`auth.errors.${passwordKey}`, { min: PASSWORD_MIN, max: PASSWORD_MAX }) : undefined,
    };
    setErrors(found);
    if (found.email) emailInput.current?.focus();
    else if (found.password) passwordInput.current?.focus();
    else create.mutate({ email: email.trim(), password, role });
  }

  const server = create.error ? fieldErrors(t, create.error) : {};
  const taken = isApiError(create.error) && create.error.code === 'email_taken';
  const general = create.error && !taken && Object.keys(server).length === 0 ? create.error : undefined;

  return (
    <form onSubmit={submit} noValidate aria-label={t('users.new.title')}>
      <Stack gap="md">
        <TextInput
          ref={emailInput}
          label={t('auth.email')}
          type="email"
          autoComplete="off"
          required
          value={email}
          maxLength={EMAIL_MAX}
          onChange={(event) => {
            setEmail(event.currentTarget.value);
            setErrors((current) => ({ ...current, email: undefined }));
            if (create.error) create.reset();
          }}
          error={errors.email ?? (taken ? t('users.new.taken') : server.email)}
          data-autofocus
        />
        <PasswordInput
          ref={passwordInput}
          label={t('users.new.password')}
          description={t('users.new.passwordHint', { min: PASSWORD_MIN, max: PASSWORD_MAX })}
          autoComplete="new-password"
          required
          value={password}
          onChange={(event) => {
            setPassword(event.currentTarget.value);
            setErrors((current) => ({ ...current, password: undefined }));
          }}
          error={errors.password ?? server.password}
          visibilityToggleButtonProps={{ 'aria-label': t('auth.showPassword') }}
        />
        <Stack gap={4}>
          <Text size="sm" fw={500} id="new-user-role">
            {t('users.columns.role')}
          </Text>
          <SegmentedControl
            aria-labelledby="new-user-role"
            value={role}
            onChange={(value) => setRole(value as Role)}
            data={ROLES.map((value) => ({ value, label: t(`auth.roles.${value}`) }))}
            style={{ alignSelf: 'flex-start' }}
          />
          <Text size="xs" c="dimmed">
            {t(`users.roleHint.${role}`)}
          </Text>
        </Stack>
        <FormProblem error={general} />
        <Group justify="flex-end">
          <Button type="submit" loading={create.isPending}>
            {t('users.new.submit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** "Add a user" and its form, in a dialog. */
export function NewUser() {
  const { t } = useTranslation();
  const [opened, { open, close }] = useDisclosure(false);
  return (
    <>
      <Button leftSection={<IconUserPlus size={18} aria-hidden />} onClick={open}>
        {t('users.new.button')}
      </Button>
      <Modal opened={opened} onClose={close} title={t('users.new.title')} closeButtonProps={{ 'aria-label': t('common.close') }}>
        {opened && <NewUserForm onDone={close} />}
      </Modal>
    </>
  );
}
