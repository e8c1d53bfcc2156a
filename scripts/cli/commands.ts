// Every stl command, by id (oclif's explicit command strategy).
import Doctor from './commands/stl/doctor.ts';

export default {
  doctor: Doctor
};
