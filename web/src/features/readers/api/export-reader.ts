import { apiUrl } from '@/lib/api-client';

/** The address of a reader's export: a zip with their profile and stories (JSON) and EPUBs. */
export function exportReaderUrl(readerId: number): string {
  return apiUrl(`/profiles/${readerId}/export`);
}
