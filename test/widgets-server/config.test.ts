import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWidgetTokenSecret } from '../../server/auth/widget-tokens.service.js';
import { ConfigError, loadConfig } from '../../server/config.js';

describe('widget settings in the configuration', () => {
  it('takes CLIENTELE_WIDGET_TOKEN_SECRET of 32+ characters and refuses a shorter one', () => {
    const secret = 'x'.repeat(32);
    expect(loadConfig({ CLIENTELE_WIDGET_TOKEN_SECRET: secret }).widgetTokenSecret).toBe(secret);
    expect(() => loadConfig({ CLIENTELE_WIDGET_TOKEN_SECRET: 'short' })).toThrow(ConfigError);
    expect(() => loadConfig({ CLIENTELE_WIDGET_TOKEN_SECRET: 'short' })).toThrow(/at least 32 characters/);
    expect(loadConfig({}).widgetTokenSecret).toBeUndefined();
  });

  it('serves widgets/dist of the repository unless CLIENTELE_WIDGETS_DIR says otherwise', () => {
    expect(loadConfig({}).widgetsDir).toBe(path.resolve(import.meta.dirname, '../../widgets/dist'));
    expect(loadConfig({ CLIENTELE_WIDGETS_DIR: '/srv/widgets' }).widgetsDir).toBe('/srv/widgets');
  });

  it('without a configured secret generates one once, private, in the data directory', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clientele-secret-'));
    try {
      const first = loadWidgetTokenSecret(undefined, dir);
      expect(first.length).toBeGreaterThanOrEqual(32);
      expect(fs.statSync(path.join(dir, 'widget-token-secret')).mode & 0o777).toBe(0o600);
      expect(loadWidgetTokenSecret(undefined, dir)).toBe(first);
      expect(loadWidgetTokenSecret('y'.repeat(40), dir)).toBe('y'.repeat(40));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
