import { Alert, Anchor, Button, Center, Group, Loader, Stack, Text } from '@mantine/core';
import { IconArrowLeft } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';

import { ContentLayout } from '@/components/layouts/content-layout';
import { ApiErrorMessage } from '@/components/ui/api-error-message';
import { paths } from '@/config/paths';
import { useReader } from '@/features/readers/api/get-reader';
import { EditReader } from '@/features/readers/components/edit-reader';
import { isApiError } from '@/lib/api-client';

function BackToReaders() {
  const { t } = useTranslation();
  return (
    <Anchor component={Link} to={paths.readers.href()} size="sm">
      <Group gap={4} component="span">
        <IconArrowLeft size={16} aria-hidden />
        {t('readers.edit.back')}
      </Group>
    </Anchor>
  );
}

function ReaderPage({ readerId }: { readerId: number }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const reader = useReader({ readerId });

  if (reader.isPending) {
    return (
      <ContentLayout title={t('readers.edit.heading')} hideHeading>
        <BackToReaders />
        <Center py="xl" role="status">
          <Loader aria-label={t('common.loading')} />
        </Center>
      </ContentLayout>
    );
  }

  if (reader.isError) {
    const missing = isApiError(reader.error) && reader.error.status === 404;
    return (
      <ContentLayout title={missing ? t('readers.edit.missingTitle') : t('readers.edit.heading')}>
        <BackToReaders />
        {missing ? (
          <Text>{t('readers.edit.missing')}</Text>
        ) : (
          <Alert color="red">
            {isApiError(reader.error) ? <ApiErrorMessage error={reader.error} /> : null}
            <Button mt="sm" variant="light" color="red" onClick={() => void reader.refetch()}>
              {t('common.retry')}
            </Button>
          </Alert>
        )}
      </ContentLayout>
    );
  }

  return (
    <ContentLayout title={reader.data.name} hideHeading>
      <Stack gap="md">
        <BackToReaders />
        <EditReader
          key={reader.data.id}
          reader={reader.data}
          onDeleted={() => void navigate(paths.readers.href(), { replace: true })}
        />
      </Stack>
    </ContentLayout>
  );
}

export default function ReaderRoute() {
  const { t } = useTranslation();
  const { readerId } = useParams();
  const id = Number(readerId);
  if (!Number.isInteger(id) || id <= 0) {
    return (
      <ContentLayout title={t('readers.edit.missingTitle')}>
        <BackToReaders />
        <Text>{t('readers.edit.missing')}</Text>
      </ContentLayout>
    );
  }
  return <ReaderPage readerId={id} />;
}
