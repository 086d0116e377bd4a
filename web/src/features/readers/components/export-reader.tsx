import { Anchor, Group } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';

import { exportReaderUrl } from '../api/export-reader';

/** "Download everything": the reader's zip, saved by the browser (the session's cookie goes along). */
export function ExportReader({ readerId, name }: { readerId: number; name: string }) {
  const { t } = useTranslation();
  return (
    <Anchor
      href={exportReaderUrl(readerId)}
      download
      size="sm"
      aria-label={t('readers.export.buttonLabel', { name })}
      title={t('readers.export.hint')}
    >
      <Group gap={4} component="span" wrap="nowrap">
        <IconDownload size={16} aria-hidden />
        {t('readers.export.button')}
      </Group>
    </Anchor>
  );
}
