trigger StlTaskTrigger on Task(
  before insert,
  after insert,
  before update,
  after update,
  before delete,
  after delete,
  after undelete
) {
  StlTriggerDispatcher.run(Schema.Task.SObjectType);
}
