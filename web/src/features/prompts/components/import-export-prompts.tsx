import { Button, FileButton, Group } from '@mantine/core';
import { IconDownload, IconUpload } from '@tabler/icons-react';
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';

import { notifySuccess, notifyWarning } from '@/lib/notify';

import { useExportPrompts } from '../api/export-prompts';
import { readLibraryFile, useImportPrompts } from '../api/import-prompts';

/** Save the whole library as a file, or bring one in. */
export function ImportExportPrompts() {
  const { t } = useTranslation();
  const resetFile = useRef<() => void>(null);
  const exportPrompts = useExportPrompts({
    onSuccess: (file) => notifySuccess(t('prompts.transfer.exported', { file })),
  });
  const importPrompts = useImportPrompts({
    onSuccess: ({ created, updated }) =>
      notifySuccess(
        t('prompts.transfer.imported', {
          created: t('prompts.transfer.created', { count: created }),
          updated: t('prompts.transfer.updated', { count: updated }),
        }),
      ),
  });

  async function chosen(file: File | null) {
    resetFile.current?.(); // the same file may be chosen again
    if (!file) return;
    const library = await readLibraryFile(file);
    if (!library) {
      notifyWarning(t('prompts.transfer.invalidFile'));
      return;
    }
    importPrompts.mutate(library);
  }

  return (
    <Group gap="xs">
      <Button
        variant="default"
        leftSection={<IconDownload size={16} aria-hidden />}
        loading={exportPrompts.isPending}
        onClick={() => exportPrompts.mutate()}
      >
        {t('prompts.transfer.export')}
      </Button>
      <FileButton onChange={(file) => void chosen(file)} accept="application/json,.json" resetRef={resetFile}>
        {(props) => (
          <Button
            {...props}
            variant="default"
            leftSection={<IconUpload size={16} aria-hidden />}
            loading={importPrompts.isPending}
          >
            {t('prompts.transfer.import')}
          </Button>
        )}
      </FileButton>
    </Group>
  );
}
