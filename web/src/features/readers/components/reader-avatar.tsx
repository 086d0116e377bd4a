import { Avatar, type MantineSize } from '@mantine/core';

import type { Reader } from '@/types/api';

/** The reader's emoji, or the first letter of their name. */
export function ReaderAvatar({ reader, size = 'lg' }: { reader: Pick<Reader, 'name' | 'avatar'>; size?: MantineSize }) {
  const initial = Array.from(reader.name.trim())[0]?.toUpperCase() ?? '?';
  const face = reader.avatar.trim() === '' ? initial : reader.avatar.trim();
  return (
    <Avatar size={size} radius="xl" color="violet" variant="light" aria-hidden>
      {face}
    </Avatar>
  );
}
