import { Alert, Anchor, Button, Center, Group, Loader, Stack, Text } from '@mantine/core';
import { IconArrowLeft } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';

import { ContentLayout } from '@/components/layouts/content-layout';
import { ApiErrorMessage } from '@/components/ui/api-error-message';
import { paths } from '@/config/paths';
import { usePrompt } from '@/features/prompts/api/get-prompt';
import { PromptEditor } from '@/features/prompts/components/prompt-editor';
import { promptName } from '@/features/prompts/components/prompt-name';
import { isApiError } from '@/lib/api-client';

function BackToPrompts() {
  const { t } = useTranslation();
  return (
    <Anchor component={Link} to={paths.prompts.href()} size="sm">
      <Group gap={4} component="span">
        <IconArrowLeft size={16} aria-hidden />
        {t('prompts.editor.back')}
      </Group>
    </Anchor>
  );
}

function PromptPage({ promptId }: { promptId: number }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const prompt = usePrompt({ promptId });

  if (prompt.isPending) {
    return (
      <ContentLayout title={t('prompts.editor.heading')} hideHeading>
        <BackToPrompts />
        <Center py="xl" role="status">
          <Loader aria-label={t('common.loading')} />
        </Center>
      </ContentLayout>
    );
  }

  if (prompt.isError) {
    const missing = isApiError(prompt.error) && prompt.error.status === 404;
    return (
      <ContentLayout title={missing ? t('prompts.editor.missingTitle') : t('prompts.editor.heading')}>
        <BackToPrompts />
        {missing ? (
          <Text>{t('prompts.editor.missing')}</Text>
        ) : (
          <Alert color="red">
            {isApiError(prompt.error) ? <ApiErrorMessage error={prompt.error} /> : null}
            <Button mt="sm" variant="light" color="red" onClick={() => void prompt.refetch()}>
              {t('common.retry')}
            </Button>
          </Alert>
        )}
      </ContentLayout>
    );
  }

  return (
    <ContentLayout title={promptName(prompt.data)} hideHeading>
      <Stack gap="md">
        <BackToPrompts />
        <PromptEditor
          key={prompt.data.id}
          prompt={prompt.data}
          onDeleted={() => void navigate(paths.prompts.href(), { replace: true })}
        />
      </Stack>
    </ContentLayout>
  );
}

export default function PromptRoute() {
  const { t } = useTranslation();
  const { promptId } = useParams();
  const id = Number(promptId);
  if (!Number.isInteger(id) || id <= 0) {
    return (
      <ContentLayout title={t('prompts.editor.missingTitle')}>
        <BackToPrompts />
        <Text>{t('prompts.editor.missing')}</Text>
      </ContentLayout>
    );
  }
  return <PromptPage promptId={id} />;
}
