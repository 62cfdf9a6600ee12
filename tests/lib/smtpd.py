#!/usr/bin/python3
"""A real SMTP server for the mail tests (aiosmtpd): each message it accepts is written to
DIR as N.eml (the bytes received) and N.json (envelope, headers, decoded subject, text and
HTML parts, the client's address:port and the time it was accepted). Prints "listening PORT" once ready; stops on SIGTERM.
usage: smtpd.py DIR [PORT]   (PORT 0 or absent: a free one)"""
import asyncio, email, email.policy, json, os, signal, socket, sys, time
from aiosmtpd.controller import Controller


class Saver:
    def __init__(self, out):
        self.out, self.n = out, 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith('refuse'):  # a mailbox the server turns down for good
            return '550 5.1.1 No such mailbox here'
        envelope.rcpt_tos.append(address)
        return '250 OK'

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        raw = envelope.original_content or envelope.content
        base = os.path.join(self.out, '%04d' % self.n)
        with open(base + '.eml', 'wb') as f:
            f.write(raw)
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        parts = {}
        for p in msg.walk():
            if p.get_content_maintype() == 'text':
                parts[p.get_content_type()] = p.get_content()
        doc = {
            'received_at': time.time(),  # when the server accepted it (the benchmark's end)
            'peer': '%s:%s' % tuple(session.peer[:2]),  # one per SMTP connection
            'mail_from': envelope.mail_from, 'rcpt_tos': envelope.rcpt_tos,
            'headers': [[k, v] for k, v in email.message_from_bytes(raw).items()],
            'subject': str(msg['Subject']), 'to': str(msg['To']), 'from': str(msg['From']),
            'content_type': msg.get_content_type(),
            'text': parts.get('text/plain'), 'html': parts.get('text/html'),
        }
        with open(base + '.json.tmp', 'w') as f:
            json.dump(doc, f)
        os.rename(base + '.json.tmp', base + '.json')
        return '250 Message accepted for delivery'


def main():
    out = sys.argv[1]
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    if port == 0:
        s = socket.socket()
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
        s.close()
    os.makedirs(out, exist_ok=True)
    c = Controller(Saver(out), hostname='127.0.0.1', port=port)
    c.start()
    print('listening', port, flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    c.stop()


if __name__ == '__main__':
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    main()
