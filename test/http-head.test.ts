import { expect } from 'chai';
import { findHeadEnd, parseRequestHead, requestAuthority } from '../harness/wire/http-head';
import { beginsTlsHandshake, escapeBytes, hexBytes, latin1Bytes } from '../harness/wire/bytes';

describe('request head parser', () => {
  it('keeps header names, case and order as on the wire', () => {
    const head = parseRequestHead(
      Buffer.from('CONNECT a.test:443 HTTP/1.1\r\nUser-Agent: x\r\nHost: a.test:443\r\nhost: dup\r\n\r\nEARLY'),
    )!;
    expect(head.method).to.equal('CONNECT');
    expect(head.target).to.equal('a.test:443');
    expect(head.version).to.equal('HTTP/1.1');
    expect(head.headers.map((h) => h.name)).to.deep.equal(['User-Agent', 'Host', 'host']);
    expect(head.length).to.equal(
      Buffer.byteLength('CONNECT a.test:443 HTTP/1.1\r\nUser-Agent: x\r\nHost: a.test:443\r\nhost: dup\r\n\r\n'),
    );
    expect(head.bareLf).to.equal(false);
  });

  it('waits for the empty line, and notices bare LF line endings', () => {
    expect(parseRequestHead(Buffer.from('CONNECT a:1 HTTP/1.1\r\nHost: a\r\n'))).to.equal(undefined);
    const head = parseRequestHead(Buffer.from('CONNECT a:1 HTTP/1.1\nHost: a\n\n'))!;
    expect(head.bareLf).to.equal(true);
    expect(findHeadEnd(Buffer.from('GET / HTTP/1.1\n\n'))).to.equal(16);
  });

  it('keeps malformed lines instead of dropping them', () => {
    const head = parseRequestHead(Buffer.from('CONNECT a:1 HTTP/1.1\r\nno colon here\r\n\r\n'))!;
    expect(head.malformedLines).to.deep.equal(['no colon here']);
  });

  it('routes by CONNECT authority and by absolute-form host', () => {
    expect(requestAuthority(parseRequestHead(Buffer.from('CONNECT X.Test:8443 HTTP/1.1\r\n\r\n'))!)).to.deep.equal({
      host: 'x.test',
      port: 8443,
    });
    expect(requestAuthority(parseRequestHead(Buffer.from('GET http://y.test/p HTTP/1.1\r\n\r\n'))!)).to.deep.equal({
      host: 'y.test',
      port: 80,
    });
    expect(requestAuthority(parseRequestHead(Buffer.from('GET /p HTTP/1.1\r\n\r\n'))!)).to.equal(undefined);
  });
});

describe('byte helpers', () => {
  it('encodes Latin-1 one byte per character and refuses wider characters', () => {
    expect([...latin1Bytes('\u0000\u00ff')]).to.deep.equal([0, 255]);
    expect(() => latin1Bytes('\u20ac')).to.throw(/not a single byte/);
  });
  it('parses hex with spaces and recognises a TLS handshake record', () => {
    expect(beginsTlsHandshake(hexBytes('16 03 01 00'))).to.equal(true);
    expect(beginsTlsHandshake(hexBytes('47 45'))).to.equal(false);
    expect(() => hexBytes('1')).to.throw(/hex/);
  });
  it('escapes control bytes for display', () => {
    expect(escapeBytes(Buffer.from('a\r\n\u0000<'))).to.equal('a\\r\\n\\x00<');
  });
});
