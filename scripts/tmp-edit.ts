import { editQuery } from '/work/main/scripts/bench/support/query-project.ts';
editQuery('/tmp/pp', Number(process.argv[2]));
