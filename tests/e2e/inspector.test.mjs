// The packet inspector: the core's dissection of the course text's PUBLISH, with
// tree and hex bytes lighting each other, and bad input explained.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, screenshot, appUnderTest } from './harness.mjs';

const app = appUnderTest();

const litBytes = (page) =>
  page.$$eval('.hex-row .byte.lit', (els) => els.map((e) => e.textContent.trim()).join(' '));

test('the course PUBLISH dissects as Wireshark shows it', { timeout: 60_000 }, async () => {
  const { page, errors } = await openPage(app.browser, `${app.server.url}#/inspect`, 'en-US');
  await page.waitForSelector('.packet-inspector li.field');
  const labels = await page.$$eval('.packet-inspector li.field', (els) => els.map((e) => e.textContent.trim()));
  assert.equal(labels[0], 'MQ Telemetry Transport Protocol, Publish Message');
  for (const want of [
    '0011 .... = Message Type: Publish Message (3)',
    '.... 0... = DUP Flag: Not set',
    '.... .01. = QoS Level: At least once delivery (Acknowledged deliver) (1)',
    '.... ...1 = Retain: Set',
    'Msg Len: 18',
    'Topic Length: 6',
    'Topic: topico',
    'Message Identifier: 1',
    'Message: mensagem',
  ]) {
    assert.ok(labels.includes(want), `missing '${want}' in ${JSON.stringify(labels)}`);
  }

  // A field lights its bytes; a byte lights its field.
  await page.hover('li.field:text-is("Topic: topico")');
  assert.equal(await litBytes(page), '74 6f 70 69 63 6f');
  await page.hover('.hex-row .byte[data-at="11"]');
  assert.equal((await page.textContent('li.field.lit')).trim(), 'Message Identifier: 1');
  await screenshot(page, 'inspect-en.png');
  assert.deepEqual(errors, []);
});

test('bad hex and malformed packets are explained, and the page stays usable', { timeout: 60_000 }, async () => {
  const { page, errors } = await openPage(app.browser, `${app.server.url}#/inspect`, 'pt-BR');
  await page.waitForSelector('#hex');
  await page.fill('#hex', '33 12\n00 0g');
  assert.match(await page.textContent('#hex-error'), /Isto não são bytes em hexadecimal: 'g' não é um dígito hexadecimal \(linha 2, coluna 5\)/);

  await page.click('button.example:text("Um SUBSCRIBE malformado")');
  assert.equal(await page.$('#hex-error'), null);
  const error = (await page.textContent('li.field.error:last-child')).trim();
  assert.match(error, /MQTT-3\.8\.3-3/);

  await page.click('button.example:text("Um CONNECT com testamento")');
  const labels = await page.$$eval('.packet-inspector li.field', (els) => els.map((e) => e.textContent.trim()));
  assert.ok(labels.some((l) => l === 'Will Topic: sensor1/status'), JSON.stringify(labels));
  assert.deepEqual(errors, []);
});
