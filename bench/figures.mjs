// One line per issue-9 figure, in a form bench/run.mjs collects into the closing table:
//   figure: NAME | OURS | PEER | RATIO | GOAL | met/MISSED
export function figure(name, ours, peer, ratio, goal, met) {
  console.log(`figure: ${name} | ${ours} | ${peer} | ${ratio.toFixed(2)}x | ${goal} | ${met ? 'met' : 'MISSED'}`);
}
