import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';

import { db } from '@/testing/mocks/db';
import { API } from '@/testing/mocks/handlers/prompts';
import { server } from '@/testing/mocks/server';
import { recordRequests, renderApp } from '@/testing/test-utils';
import type { PromptUpdate } from '@/types/api';

describe('a prompt page', () => {
  it('is reached from the list and has its own address', async () => {
    const prompt = db.add({ content: 'A fox who learns to share', title: 'Sharing fox' });
    const { user, router } = renderApp('/prompts');
    await user.click(await screen.findByRole('link', { name: 'Sharing fox' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Sharing fox' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe(`/prompts/${prompt.id}`);
    expect(screen.getByLabelText(/^Prompt/, { selector: 'textarea' })).toHaveValue('A fox who learns to share');
  });

  it('saves title, text, tags and typed variables', async () => {
    const prompt = db.add({ content: 'A story about a {{animal}}' });
    const requests = recordRequests();
    let sent: PromptUpdate | undefined;
    server.events.on('request:start', ({ request }) => {
      if (request.method === 'PATCH') void request.clone().json().then((body) => (sent = body as PromptUpdate));
    });
    const { user } = renderApp(`/prompts/${prompt.id}`);

    const title = await screen.findByLabelText('Title');
    await user.type(title, 'Animal tale');
    await user.type(screen.getByRole('textbox', { name: 'Tags' }), 'bedtime{Enter}');

    await user.click(screen.getByRole('button', { name: 'Add a blank' }));
    const blank = screen.getByRole('group', { name: 'Blank 1' });
    await user.type(within(blank).getByLabelText(/^Name/), 'animal');
    await user.click(within(blank).getByRole('textbox', { name: 'Kind' }));
    await user.click(await screen.findByRole('option', { name: 'Choice' }));
    await user.type(within(blank).getByRole('textbox', { name: /^Choices/ }), 'fox{Enter}owl{Enter}');

    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('Changes saved.')).toBeInTheDocument();

    expect(requests.some((r) => r.method === 'PATCH' && r.url.pathname === `/api/prompts/${prompt.id}`)).toBe(true);
    await waitFor(() => expect(sent).toBeDefined());
    expect(sent).toMatchObject({
      title: 'Animal tale',
      content: 'A story about a {{animal}}',
      tags: ['bedtime'],
      variables: [{ name: 'animal', type: 'choice', options: ['fox', 'owl'], default: null }],
    });
  });

  it('warns about an empty text or a bad variable name instead of sending it', async () => {
    const prompt = db.add({ content: 'Something' });
    const { user } = renderApp(`/prompts/${prompt.id}`);
    const requests = recordRequests();

    await user.clear(await screen.findByLabelText(/^Prompt/, { selector: 'textarea' }));
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText("The prompt can't be empty.")).toBeInTheDocument();

    await user.type(screen.getByLabelText(/^Prompt/, { selector: 'textarea' }), 'Again');
    await user.click(screen.getByRole('button', { name: 'Add a blank' }));
    await user.type(screen.getByLabelText(/^Name/), '9lives');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect((await screen.findAllByText(/A blank's name uses letters/)).length).toBeGreaterThan(0);
    expect(requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
  });

  it('deletes the prompt and goes back to the list', async () => {
    const prompt = db.add({ content: 'Short-lived', title: 'Mayfly' });
    const { user, router } = renderApp(`/prompts/${prompt.id}`);
    await user.click(await screen.findByRole('button', { name: 'Delete “Mayfly”' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Delete' }));
    expect(await screen.findByText('Prompt deleted.')).toBeInTheDocument();
    await waitFor(() => expect(router.state.location.pathname).toBe('/prompts'));
    expect(db.all()).toHaveLength(0);
  });

  it('says so when the prompt does not exist', async () => {
    renderApp('/prompts/999');
    expect(await screen.findByRole('heading', { level: 1, name: 'Prompt not found' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'All prompts' })).toBeInTheDocument();
  });

  it('shows other failures with the trace id and a retry', async () => {
    server.use(
      http.get(`${API}/prompts/:id`, () =>
        HttpResponse.json(
          { error: { code: 'internal_error', message: 'boom', details: null }, trace_id: 'abcdefabcdefabcdefabcdefabcdef12' },
          { status: 500 },
        ),
      ),
    );
    renderApp('/prompts/1');
    expect(await screen.findByText('Trace id: abcdefabcdefabcdefabcdefabcdef12')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });
});
