// An approval flow: review (two signatures), then approval (one).
const approval = flow.createFlow({
  name: 'Purchase approval',
  steps: [
    { name: 'review', signers: ['bob', 'carol'] },
    { name: 'approve', signers: ['dave'] },
  ],
});
flow.start(approval.id);
flow.sign(approval.id, 0, 'bob');
flow.sign(approval.id, 0, 'carol');
flow.completeStep(approval.id, 0);
try {
  flow.completeStep(approval.id, 1); // dave has not signed yet
} catch (e) {
  console.log('refused:', e.message);
}
flow.sign(approval.id, 1, 'dave');
flow.completeStep(approval.id, 1)
