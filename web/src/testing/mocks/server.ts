import { setupServer } from 'msw/node';

import { promptHandlers } from './handlers/prompts';

export const server = setupServer(...promptHandlers);
