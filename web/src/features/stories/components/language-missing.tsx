import { Alert, Anchor, List, Text } from '@mantine/core';
import { IconLanguage } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

import { paths, settingsSections } from '@/config/paths';
import { useIsAdmin } from '@/lib/auth';

import type { LanguageNotWritten } from '../utils/language-not-written';

/**
 * "No engine writes Japanese yet", kindly, with links straight to the two ways
 * to add one; a member, who cannot add engines, is told to ask the admin.
 */
export function LanguageMissing({ detail }: { detail: LanguageNotWritten }) {
  const { t } = useTranslation();
  const admin = useIsAdmin();
  const language = t(`languageNames.${detail.params.language}`, { defaultValue: detail.params.language });
  const title = t('stories.new.languageMissing.title', { language });
  if (!admin) {
    return (
      <Alert color="blue" icon={<IconLanguage aria-hidden />} title={title} role="alert" data-testid="new-story-error">
        <Text size="sm">{t('stories.new.languageMissing.askAdmin', { language, engine: detail.params.engine })}</Text>
      </Alert>
    );
  }
  return (
    <Alert color="blue" icon={<IconLanguage aria-hidden />} title={title} role="alert" data-testid="new-story-error">
      <Text size="sm">{t('stories.new.languageMissing.body', { language, engine: detail.params.engine })}</Text>
      <List size="sm" mt="xs" spacing={4}>
        <List.Item>
          <Anchor component={Link} to={paths.settings.href(settingsSections.foundServers)}>
            {t('stories.new.languageMissing.found')}
          </Anchor>
        </List.Item>
        <List.Item>
          <Anchor component={Link} to={paths.settings.href(settingsSections.modelFiles)}>
            {t('stories.new.languageMissing.file')}
          </Anchor>
        </List.Item>
      </List>
    </Alert>
  );
}
