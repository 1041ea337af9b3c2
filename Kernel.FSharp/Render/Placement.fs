namespace Ztwim.Kernel.Render

/// Where an operand's objects go and who owns them: the operator namespace for namespaced objects, the CR's
/// custom labels (the standard keys are added per component), and the CR as controller owner.
type Placement =
    { Namespace: string
      CustomLabels: Map<string, string>
      Owner: Owner }
