import { Badge, Group, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';

import { gradeWords } from '../utils/reading-level';

/** The measured reading level, "about grade 1", beside the reader's target; nothing unmeasured. */
export function ReadingLevelBadge({ measured, target }: { measured: number | null; target: number | null }) {
  const { t } = useTranslation();
  if (measured === null) return null;
  return (
    <Group gap={6} wrap="nowrap" title={t('stories.level.explain')} data-testid="reading-level">
      <Badge variant="light" color="gray" radius="sm" tt="none" fw={500}>
        {t('stories.level.measured', { grade: gradeWords(t, measured) })}
      </Badge>
      {target !== null && (
        <Text size="xs" c="dimmed">
          {t('stories.level.target', { grade: gradeWords(t, target) })}
        </Text>
      )}
    </Group>
  );
}
