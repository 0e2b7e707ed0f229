// A contract revised once, sent, and signed by both parties.
const nda = legal.createContract({
  title: 'Mutual NDA',
  description: 'Before the pilot',
  terms: 'Both parties keep each other\'s information confidential.',
  signers: [{ name: 'alice', email: 'alice@example.com' }, { name: 'bob', email: 'bob@example.com' }],
  startDate: '2026-12-01',
  endDate: '2027-12-01',
});
legal.revise(nda.id, { terms: 'Both parties keep each other\'s information confidential for two years.', comment: 'duration' });
legal.send(nda.id);
legal.sign(nda.id, 'alice');
const signed = legal.sign(nda.id, 'bob');
console.log(`contract ${signed.id} is ${signed.status} at version ${signed.version}`);
signed
