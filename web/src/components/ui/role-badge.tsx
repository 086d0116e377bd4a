import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';

import type { Role } from '@/lib/auth';

/** "Admin" (filled) or "Member" (outlined): colours chosen to keep a 4.5:1 contrast in both schemes. */
export function RoleBadge({ role }: { role: Role }) {
  const { t } = useTranslation();
  return (
    <Badge variant={role === 'admin' ? 'filled' : 'outline'} color={role === 'admin' ? 'violet' : 'gray'} radius="sm" tt="none">
      {t(`auth.roles.${role}`)}
    </Badge>
  );
}
