import { Divider, Stack, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';

import { ContentLayout } from '@/components/layouts/content-layout';
import { ImportExportPrompts } from '@/features/prompts/components/import-export-prompts';
import { NewPromptForm } from '@/features/prompts/components/new-prompt-form';
import { PromptSearch } from '@/features/prompts/components/prompt-search';
import { PromptsList } from '@/features/prompts/components/prompts-list';

export default function PromptsRoute() {
  const { t } = useTranslation();
  const [searchParams, setSearchParams] = useSearchParams();
  const [search, setSearch] = useState(searchParams.get('q') ?? '');
  const [q] = useDebouncedValue(search.trim(), 300);

  // The search is part of the address: it survives a reload and can be shared.
  useEffect(() => {
    setSearchParams(
      (params) => {
        if (q) params.set('q', q);
        else params.delete('q');
        return params;
      },
      { replace: true },
    );
  }, [q, setSearchParams]);

  return (
    <ContentLayout title={t('prompts.title')} actions={<ImportExportPrompts />}>
      <Text c="dimmed">{t('prompts.intro', { example: '{{animal}}' })}</Text>
      <NewPromptForm />
      <Divider />
      <Stack gap="md">
        <PromptSearch value={search} onChange={setSearch} />
        <PromptsList q={q} />
      </Stack>
    </ContentLayout>
  );
}
