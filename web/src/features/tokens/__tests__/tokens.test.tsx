import { screen, waitFor, within } from '@testing-library/react';

import { authDb } from '@/testing/mocks/handlers/auth';
import { recordRequests, renderApp } from '@/testing/test-utils';

describe('the API tokens page', () => {
  it('creates a token and shows it once, with a copy button and a warning', async () => {
    const { user } = renderApp('/tokens');
    expect(await screen.findByRole('heading', { level: 1, name: 'API tokens' })).toBeInTheDocument();
    expect(await screen.findByText('No tokens yet.')).toBeInTheDocument();
    const requests = recordRequests();

    const form = screen.getByRole('form', { name: 'New token' });
    await user.click(within(form).getByRole('button', { name: 'Create token' }));
    expect(await within(form).findByText('Enter a name, so you know later what the token is for.')).toBeInTheDocument();

    await user.type(within(form).getByRole('textbox', { name: /Name/ }), 'bedtime script');
    await user.click(within(form).getByRole('button', { name: 'Create token' }));

    const shown = await screen.findByRole('region', { name: 'Token “bedtime script” created' });
    expect(within(shown).getByText('Copy it now: you will not see it again. Storybot keeps only a fingerprint of it.')).toBeInTheDocument();
    const field = within(shown).getByRole('textbox', { name: 'Token' });
    const whole = (field as HTMLInputElement).value;
    expect(whole).toMatch(/^sbt_.*-the-whole-secret-token$/);
    expect(field).toHaveAttribute('readonly');
    expect(field).toHaveFocus();
    expect(within(shown).getByRole('button', { name: 'Copy token' })).toBeInTheDocument();
    const post = requests.find((r) => r.method === 'POST');
    expect(post?.headers.get('X-CSRF-Token')).toBe(authDb.csrf());

    // In the list: the name and the first characters only.
    const row = await screen.findByTestId('token-row');
    expect(row).toHaveTextContent('bedtime script');
    expect(row).toHaveTextContent(`${authDb.tokens()[0]?.prefix ?? '?'}…`);
    expect(row).toHaveTextContent('Never');
    expect(row).not.toHaveTextContent('the-whole-secret-token');

    await user.click(within(shown).getByRole('button', { name: 'I have copied it' }));
    expect(screen.queryByRole('region', { name: 'Token “bedtime script” created' })).not.toBeInTheDocument();
    expect(screen.queryByDisplayValue(whole)).not.toBeInTheDocument();
    expect(document.body).not.toHaveTextContent('the-whole-secret-token');
  });

  it('revokes a token after asking', async () => {
    authDb.addToken('old laptop');
    authDb.addToken('bedtime script');
    const { user } = renderApp('/tokens');
    expect(await screen.findAllByTestId('token-row')).toHaveLength(2);

    await user.click(screen.getByRole('button', { name: 'Revoke “old laptop”' }));
    const dialog = await screen.findByRole('dialog', { name: 'Revoke this token?' });
    expect(dialog).toHaveTextContent('Scripts using “old laptop”');
    // Focus starts on Cancel, the safe choice.
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await user.click(within(dialog).getByRole('button', { name: 'Revoke' }));

    expect(await screen.findByText('Token “old laptop” revoked.')).toBeInTheDocument();
    await waitFor(() => expect(screen.getAllByTestId('token-row')).toHaveLength(1));
    expect(authDb.tokens().map((t) => t.name)).toEqual(['bedtime script']);
  });

  it('reads in Japanese too', async () => {
    authDb.addToken('script');
    const { user } = renderApp('/tokens');
    await screen.findByTestId('token-row');
    await user.click(screen.getAllByText('日本語')[0] ?? document.body);
    expect(await screen.findByRole('heading', { level: 1, name: 'APIトークン' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '「script」を無効にする' })).toBeInTheDocument();
    expect(screen.getByText('未使用')).toBeInTheDocument();
  });
});
