// Every stl command, by id (oclif's explicit command strategy, see package.json "oclif").
import Audit from './commands/stl/audit.ts';
import Deploy from './commands/stl/deploy.ts';
import Docs from './commands/stl/docs.ts';
import Doctor from './commands/stl/doctor.ts';
import Seed from './commands/stl/seed.ts';

export default {
  audit: Audit,
  seed: Seed,
  deploy: Deploy,
  doctor: Doctor,
  docs: Docs
};
